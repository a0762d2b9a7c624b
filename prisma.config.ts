import path from "node:path";
import { defineConfig } from "prisma/config";

const dataDir = path.resolve(process.env.MARINER_DATA_DIR ?? ".mariner");

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: `file:${path.join(dataDir, "mariner.db")}` },
});
