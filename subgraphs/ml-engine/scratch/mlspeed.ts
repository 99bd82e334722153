import { loadModel, listModels } from '@carbon-nexus/models';
for (const c of listModels()) console.log(c.name, c.version, c.onnx.trees, c.onnx.nodes, c.features.map(f=>f.name).join(','));
const m = await loadModel('logistics');
const row = { distance_km: 300, load_kg: 10000, speed_kmh: 70, gradient_pct: 0.5, stops_per_100km: 2, idle_min: 10, refrigerated: 0, empty_share: 0.1, vehicle_class: 1, grid_factor_kg_per_kwh: 0.281 };
let t = performance.now(); for (let i=0;i<200;i++) m.explainFull(row); console.log('explain ms/row', (performance.now()-t)/200);
const rows = Array.from({length: 1000}, () => row);
t = performance.now(); for (let i=0;i<20;i++) await m.predictBatch(rows); console.log('batch1000 ms', (performance.now()-t)/20);
const e = m.explainFull(row); console.log(e.prediction, e.expectedKg, e.contributions.reduce((a,c)=>a+c.contribution,0), (await m.predictBatch([row]))[0]);
