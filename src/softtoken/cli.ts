// Entry point of the softtoken app: `npm run softtoken -- <command> …`.
import { runSofttoken } from './softtoken-app.js';
import { terminalIo } from './terminal-io.js';

const io = terminalIo();
try {
  process.exitCode = await runSofttoken(process.argv.slice(2), io, process.env);
} finally {
  io.close();
}
