// Pose peer for `streaming bench video`: TensorFlow.js with its WASM backend (XNNPACK, SIMD) running a MoveNet TF.js
// graph model unchanged on frames the bench wrote, as a JavaScript user would run it in Node.
// usage: node pose_peer.mjs PEER MODEL_JSON FRAMES_FILE COUNT SIZE THREADS SECONDS BATCH [BATCH ...]
//   PEER: build/pose-peer (its node_modules holds @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm); FRAMES_FILE:
//   COUNT frames of SIZE x SIZE x 3 bytes (RGB, NHWC), already letterboxed; THREADS: setThreadsCount's argument.
// stdout: {"tfjs", "backend", "simd", "threads", "results": [{"batch", "fps"}]}. The graph takes one frame per call
// (its decoder is written for a batch of 1), so a batch of B is B calls whose outputs are read back together; fps is
// the median of 5 rounds of about SECONDS / 5 each, after a warm-up round as long (V8 tiers the WASM code up meanwhile).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const [peer, modelJson, framesFile, countArg, sizeArg, threadsArg, secondsArg, ...batchArgs] = process.argv.slice(2);
const require = createRequire(path.join(peer, 'package.json'));
const tf = require('@tensorflow/tfjs');
const wasm = require('@tensorflow/tfjs-backend-wasm');

const threads = Number(threadsArg);
wasm.setWasmPaths(path.join(peer, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist') + path.sep);
wasm.setThreadsCount(threads);
if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialize');
await tf.ready();

const json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
const weightSpecs = [];
const shards = [];
for (const group of json.weightsManifest) {
  weightSpecs.push(...group.weights);
  for (const p of group.paths) shards.push(fs.readFileSync(path.join(path.dirname(modelJson), p)));
}
const all = Buffer.concat(shards);
const model = await tf.loadGraphModel(tf.io.fromMemory({
  modelTopology: json.modelTopology, weightSpecs, format: json.format, generatedBy: json.generatedBy,
  convertedBy: json.convertedBy, signature: json.signature,
  weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
}));

const count = Number(countArg), size = Number(sizeArg), frame = size * size * 3;
const bytes = fs.readFileSync(framesFile);
if (bytes.length !== count * frame) throw new Error(`frames file has ${bytes.length} bytes, expected ${count * frame}`);
const frames = Array.from({ length: count }, (_, i) => Int32Array.from(bytes.subarray(i * frame, (i + 1) * frame)));

let next = 0;
async function runBatch(batch) {
  const outputs = [];
  for (let i = 0; i < batch; i++) {
    const input = tf.tensor4d(frames[next++ % count], [1, size, size, 3], 'int32');
    const result = model.execute(input);
    outputs.push(Array.isArray(result) ? result[0] : result);
    input.dispose();
  }
  await Promise.all(outputs.map(o => o.data()));
  tf.dispose(outputs);
}

const round = Number(secondsArg) / 5;
const results = [];
for (const batch of batchArgs.map(Number)) {
  const rates = [];
  for (let r = 0; r < 6; r++) {
    let done = 0;
    const start = performance.now();
    while (performance.now() - start < round * 1000 || done === 0) {
      await runBatch(batch);
      done += batch;
    }
    rates.push(done * 1000 / (performance.now() - start));
  }
  const timed = rates.slice(1).sort((a, b) => a - b);
  results.push({ batch, fps: timed[2] });
}
process.stdout.write(JSON.stringify({
  tfjs: tf.version.tfjs, backend: tf.getBackend(), simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
  threads: wasm.getThreadsCount(), results,
}) + '\n');
