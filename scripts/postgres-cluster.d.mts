export declare const INSTALL_HINT: string;
/** The newest /usr/lib/postgresql/<version>/bin with initdb and pg_ctl (or PG_BINDIR), or undefined. */
export declare function findPostgresBin(): string | undefined;
/** Starts a private throwaway cluster; `stop()` stops it and removes its directory. */
export declare function startPostgresCluster(opts?: { bin?: string; maxConnections?: number }): Promise<{ url: string; stop(): void }>;
