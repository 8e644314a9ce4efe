import { startTemporal, startWorker } from './test/support/temporal.js';
let t = performance.now();
const env = await startTemporal(); console.log('startTemporal', (performance.now() - t).toFixed(0)); t = performance.now();
const h = await startWorker(env, {}); console.log('startWorker', (performance.now() - t).toFixed(0)); t = performance.now();
const h2 = await startWorker(env, {}); console.log('startWorker2', (performance.now() - t).toFixed(0)); t = performance.now();
await h.stop(); await h2.stop(); await env.teardown();
