import readline from "node:readline";
import { Writable } from "node:stream";

/**
 * The passphrase for the console-state commands: MARINER_BACKUP_PASSPHRASE, else asked on the terminal without
 * echo (twice when `confirm`), else the first line of standard input (for scripts).
 */
export async function askPassphrase(confirm: boolean): Promise<string> {
  const fromEnv = process.env.MARINER_BACKUP_PASSPHRASE;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    const rl = readline.createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line;
    }
    return "";
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      process.stderr.write(prompt);
      muted = true;
      rl.question("", (answer) => {
        muted = false;
        process.stderr.write("\n");
        resolve(answer);
      });
    });
  try {
    const first = await ask("Passphrase: ");
    if (confirm && (await ask("Again: ")) !== first) throw new Error("The passphrases differ");
    return first;
  } finally {
    rl.close();
  }
}
