export declare const SCHEMA: string;
export declare const POSTGRES_DIR: string;
export declare const POSTGRES_SCHEMA: string;
export declare const POSTGRES_MIGRATIONS: string;
/** The derived PostgreSQL schema's text (only the provider and the output path differ). */
export declare function postgresSchemaText(source?: string): string;
/** Writes prisma/postgresql/schema.prisma; returns its path. */
export declare function writePostgresSchema(): string;
