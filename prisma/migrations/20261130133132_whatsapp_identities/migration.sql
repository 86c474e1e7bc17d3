-- AlterTable
ALTER TABLE "ChannelIdentity" ADD COLUMN "lastInboundAt" DATETIME;

-- CreateTable
CREATE TABLE "LinkCode" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "codeHash" TEXT NOT NULL,
    "personId" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "DailyCounter" (
    "key" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("key", "day")
);

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
    "announcementsStoppedAt" DATETIME,
    "preferredChannel" TEXT,
    "lastChannel" TEXT,
    "linkFailures" INTEGER NOT NULL DEFAULT 0,
    "linkFailedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Person" ("announcementsStoppedAt", "configuredAdmin", "consentAt", "consentVersion", "createdAt", "erasedAt", "id", "locale", "name", "phone", "role", "updatedAt") SELECT "announcementsStoppedAt", "configuredAdmin", "consentAt", "consentVersion", "createdAt", "erasedAt", "id", "locale", "name", "phone", "role", "updatedAt" FROM "Person";
DROP TABLE "Person";
ALTER TABLE "new_Person" RENAME TO "Person";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "LinkCode_codeHash_key" ON "LinkCode"("codeHash");

-- CreateIndex
CREATE INDEX "LinkCode_personId_idx" ON "LinkCode"("personId");
