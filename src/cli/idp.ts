// Entry point of `npm run idp -- …`.
import { runCli } from './run-cli.js';

const io = {
  async stdin(): Promise<string> {
    if (process.stdin.isTTY) return '';
    let text = '';
    for await (const chunk of process.stdin) text += chunk;
    return text;
  },
  out: (text: string) => process.stdout.write(`${text}\n`),
  err: (text: string) => process.stderr.write(`${text}\n`),
};

runCli(process.argv.slice(2), io, process.env).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
