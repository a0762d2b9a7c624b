import fs from "node:fs";

/** The system's plugin directory (managed plugin-dir): only plugins shipped with the server load. */
export const SYSTEM_PLUGIN_DIR = process.env.MARINER_PLUGIN_DIR ?? "/usr/lib/mysql/plugin";

/** Plugin libraries shipped with the server: the .so files of the system plugin directory. */
export function shippedPlugins(): Set<string> {
  try {
    return new Set(fs.readdirSync(SYSTEM_PLUGIN_DIR).filter((f) => f.endsWith(".so")));
  } catch {
    return new Set();
  }
}
