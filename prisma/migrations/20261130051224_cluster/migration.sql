-- CreateTable
CREATE TABLE "Job" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "runAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "maxAttempts" INTEGER NOT NULL DEFAULT 5,
    "leaseUntil" DATETIME,
    "leasedBy" TEXT,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Enterprise" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "name" TEXT NOT NULL,
    "bin" TEXT NOT NULL,
    "binKind" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "sector" TEXT NOT NULL,
    "employees" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "submittedAt" DATETIME NOT NULL,
    "decidedAt" DATETIME,
    "decidedById" INTEGER,
    "rejectReason" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "revision" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_Enterprise" ("bin", "binKind", "createdAt", "decidedAt", "decidedById", "employees", "id", "name", "region", "rejectReason", "sector", "status", "submittedAt", "updatedAt") SELECT "bin", "binKind", "createdAt", "decidedAt", "decidedById", "employees", "id", "name", "region", "rejectReason", "sector", "status", "submittedAt", "updatedAt" FROM "Enterprise";
DROP TABLE "Enterprise";
ALTER TABLE "new_Enterprise" RENAME TO "Enterprise";
CREATE UNIQUE INDEX "Enterprise_bin_key" ON "Enterprise"("bin");
CREATE INDEX "Enterprise_status_idx" ON "Enterprise"("status");
CREATE TABLE "new_EnterpriseChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "enterpriseId" INTEGER NOT NULL,
    "field" TEXT NOT NULL,
    "oldValue" TEXT NOT NULL,
    "newValue" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedById" INTEGER NOT NULL,
    "requestedAt" DATETIME NOT NULL,
    "decidedById" INTEGER,
    "decidedAt" DATETIME,
    "rejectReason" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "EnterpriseChange_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_EnterpriseChange" ("decidedAt", "decidedById", "enterpriseId", "field", "id", "newValue", "oldValue", "rejectReason", "requestedAt", "requestedById", "status") SELECT "decidedAt", "decidedById", "enterpriseId", "field", "id", "newValue", "oldValue", "rejectReason", "requestedAt", "requestedById", "status" FROM "EnterpriseChange";
DROP TABLE "EnterpriseChange";
ALTER TABLE "new_EnterpriseChange" RENAME TO "EnterpriseChange";
CREATE INDEX "EnterpriseChange_enterpriseId_status_idx" ON "EnterpriseChange"("enterpriseId", "status");
CREATE TABLE "new_Membership" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "personId" INTEGER NOT NULL,
    "enterpriseId" INTEGER NOT NULL,
    "role" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "requestedAt" DATETIME NOT NULL,
    "decidedAt" DATETIME,
    "decidedById" INTEGER,
    "rejectReason" TEXT,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revision" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "Membership_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Membership" ("decidedAt", "decidedById", "enterpriseId", "id", "personId", "rejectReason", "requestedAt", "role", "status", "updatedAt") SELECT "decidedAt", "decidedById", "enterpriseId", "id", "personId", "rejectReason", "requestedAt", "role", "status", "updatedAt" FROM "Membership";
DROP TABLE "Membership";
ALTER TABLE "new_Membership" RENAME TO "Membership";
CREATE UNIQUE INDEX "Membership_personId_key" ON "Membership"("personId");
CREATE INDEX "Membership_enterpriseId_idx" ON "Membership"("enterpriseId");
CREATE INDEX "Membership_status_idx" ON "Membership"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "Job_key_key" ON "Job"("key");

-- CreateIndex
CREATE INDEX "Job_status_runAt_idx" ON "Job"("status", "runAt");
