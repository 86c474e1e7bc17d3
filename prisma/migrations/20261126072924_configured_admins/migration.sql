-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Person" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "locale" TEXT,
    "role" TEXT NOT NULL DEFAULT 'member',
    "configuredAdmin" BOOLEAN NOT NULL DEFAULT false,
    "name" TEXT,
    "phone" TEXT,
    "consentAt" DATETIME,
    "consentVersion" TEXT,
    "erasedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Person" ("consentAt", "consentVersion", "createdAt", "erasedAt", "id", "locale", "name", "phone", "role", "updatedAt") SELECT "consentAt", "consentVersion", "createdAt", "erasedAt", "id", "locale", "name", "phone", "role", "updatedAt" FROM "Person";
DROP TABLE "Person";
ALTER TABLE "new_Person" RENAME TO "Person";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
