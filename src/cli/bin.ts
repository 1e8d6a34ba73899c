import { runCli } from './main.ts';

const code = await runCli(process.argv.slice(2), process.env, {
  stdout: (s) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
  stderr: (s) => process.stderr.write(s.endsWith('\n') ? s : `${s}\n`),
});
process.exitCode = code;
