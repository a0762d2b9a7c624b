import type { NextConfig } from "next";

const config: NextConfig = {
  serverExternalPackages: [
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "mysql2",
    "bcryptjs",
    "dockerode",
    "docker-modem",
    "ssh2",
  ],
  poweredByHeader: false,
  typedRoutes: false,
};

export default config;
