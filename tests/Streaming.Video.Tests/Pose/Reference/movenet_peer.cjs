// The reference for the importer: TensorFlow.js (pure JavaScript CPU backend) runs a TF.js graph model unchanged on
// frames the test wrote, one frame per call as the graph is written (batch 1).
// stdin: {"peer": "<build/pose-peer>", "model": "<model.json>", "frames": "<raw file>", "count": N, "size": S}
//   where the raw file holds N frames of S x S x 3 bytes (RGB, NHWC).
// stdout: {"outputs": [[...], ...]}: each frame's first output, flattened (MoveNet: 17 x [y, x, score]).
const fs = require('fs');
const path = require('path');

async function main() {
  const request = JSON.parse(fs.readFileSync(0, 'utf8'));
  const tf = require(path.join(request.peer, 'node_modules', '@tensorflow', 'tfjs'));
  await tf.setBackend('cpu');
  const json = JSON.parse(fs.readFileSync(request.model, 'utf8'));
  const folder = path.dirname(request.model);
  const weightSpecs = [];
  const shards = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) shards.push(fs.readFileSync(path.join(folder, p)));
  }
  const all = Buffer.concat(shards);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format,
    generatedBy: json.generatedBy, convertedBy: json.convertedBy, signature: json.signature,
  }));
  const bytes = fs.readFileSync(request.frames);
  const frame = request.size * request.size * 3;
  if (bytes.length !== request.count * frame) throw new Error(`frames file has ${bytes.length} bytes, expected ${request.count * frame}`);
  const outputs = [];
  for (let i = 0; i < request.count; i++) {
    const pixels = Int32Array.from(bytes.subarray(i * frame, (i + 1) * frame));
    const input = tf.tensor4d(pixels, [1, request.size, request.size, 3], 'int32');
    const result = model.execute(input);
    const first = Array.isArray(result) ? result[0] : result;
    outputs.push(Array.from(await first.data()));
    tf.dispose([input, result]);
  }
  process.stdout.write(JSON.stringify({ outputs }));
}

main().catch(e => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
