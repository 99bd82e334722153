import { loadModel } from '@carbon-nexus/models';
for (const name of ['logistics','lastmile']) {
const m = await loadModel(name);
const row: any = name==='logistics' ? { distance_km: 300, load_kg: 10000, speed_kmh: 70, gradient_pct: 0.5, stops_per_100km: 2, idle_min: 10, refrigerated: 0, empty_share: 0.1, vehicle_class: 1, grid_factor_kg_per_kwh: 0.281 } : {stops: 50, parcels: 100, distance_km: 60, vehicle: 0, failed_share: 0.05, grid_factor_kg_per_kwh: 0.281};
let t = performance.now(); m.explainFull(row); console.log(name, 'first explain ms', performance.now()-t);
t = performance.now(); for (let i=0;i<200;i++) m.explainFull(row); console.log(name, 'explain ms/row', (performance.now()-t)/200);
const rows = Array.from({length: 1000}, () => row);
t = performance.now(); for (let i=0;i<20;i++) await m.predictBatch(rows, undefined, {validate: false}); console.log('batch1000 ms', (performance.now()-t)/20);
}
