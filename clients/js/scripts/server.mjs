// Starts a backrest server for the client's type generation and tests: built from
// this repository with go build, on a free port of 127.0.0.1, with a fresh data
// folder, and stopped by its process id.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root folder. */
export const root = resolve(fileURLToPath(new URL("../../..", import.meta.url)));

/** Builds the backrest binary into dir and returns its path. */
export function build(dir) {
  const bin = join(dir, "backrest");
  execFileSync("go", ["build", "-o", bin, "./cmd/backrest"], { cwd: root, stdio: "inherit" });
  return bin;
}

/** Returns a port of 127.0.0.1 that is free now. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/**
 * Starts a server with the content types of examples/schema.json and the given
 * extra settings (BACKREST_* variables), on port (a free one by default);
 * resolves once it answers. Its log lines
 * are kept in `log`, so that a test can find the links of the mails it wrote.
 */
export async function start({ env = {}, bin, port } = {}) {
  const work = mkdtempSync(join(tmpdir(), "backrest-js-"));
  const binary = bin ?? build(work);
  port ??= await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ["serve"], {
    cwd: root,
    env: {
      ...process.env,
      BACKREST_DATA: join(work, "data"),
      BACKREST_ADDR: `127.0.0.1:${port}`,
      BACKREST_SCHEMA: join(root, "examples/schema.json"),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server = { url, log: [], pid: child.pid, stop, waitLog };
  const waiters = new Set();
  let pending = "";
  const onData = (chunk) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines) {
      server.log.push(line);
      for (const w of waiters) w();
    }
  };
  child.stdout.setEncoding("utf8").on("data", onData);
  child.stderr.setEncoding("utf8").on("data", onData);
  const exited = new Promise((ok) => child.on("exit", ok));

  async function stop() {
    if (child.exitCode === null) process.kill(child.pid, "SIGTERM");
    await exited;
    rmSync(work, { recursive: true, force: true });
  }

  /** Resolves with the first log line that test accepts, once it is written. */
  function waitLog(test) {
    return new Promise((ok, fail) => {
      const check = () => {
        const line = server.log.find(test);
        if (line !== undefined) {
          waiters.delete(check);
          ok(line);
        } else if (child.exitCode !== null) {
          waiters.delete(check);
          fail(new Error("server exited:\n" + server.log.join("\n")));
        }
      };
      waiters.add(check);
      check();
    });
  }

  // Wait until it answers (or exits).
  for (;;) {
    if (child.exitCode !== null) throw new Error("server exited:\n" + server.log.join("\n"));
    try {
      const res = await fetch(url + "/-/");
      if (res.ok) return server;
    } catch {
      // Not listening yet.
    }
    await new Promise((ok) => setTimeout(ok, 100));
  }
}
