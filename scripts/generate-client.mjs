// Generates both Prisma clients (postinstall, offline):
// - src/db/generated     from prisma/schema.prisma (SQLite, the embedded default);
// - src/db/generated-pg  from prisma/postgresql/schema.prisma, which this script derives from the
//   one schema first (only the datasource provider and the output path differ).
// `prisma generate` is WebAssembly, but the CLI first looks for a schema-engine binary that it
// would download from Prisma's servers; pointing it at any executable skips that lookup.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { writePostgresSchema } from "./postgres-schema.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const pgSchema = writePostgresSchema();
for (const schema of ["prisma/schema.prisma", pgSchema]) {
  const result = spawnSync("npx", ["--no-install", "prisma", "generate", "--schema", schema], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? "/bin/true",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
