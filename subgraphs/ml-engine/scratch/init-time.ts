import { loadAllModels } from '../src/models-adapter.ts';
let t = performance.now();
const r = await loadAllModels();
console.log('load models ms', performance.now() - t, [...r.models.keys()]);
