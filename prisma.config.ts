import { defineConfig } from "prisma/config";

// Only `prisma generate` is used (offline, WebAssembly). Migrations are committed SQL
// applied by the app itself (src/db/migrate.ts), so no datasource URL is needed here.
export default defineConfig({
  schema: "prisma/schema.prisma",
});
