-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    CONSTRAINT "Membership_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Membership_enterpriseId_fkey" FOREIGN KEY ("enterpriseId") REFERENCES "Enterprise" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Membership" ("decidedAt", "decidedById", "enterpriseId", "id", "personId", "rejectReason", "requestedAt", "role", "status") SELECT "decidedAt", "decidedById", "enterpriseId", "id", "personId", "rejectReason", "requestedAt", "role", "status" FROM "Membership";
DROP TABLE "Membership";
ALTER TABLE "new_Membership" RENAME TO "Membership";
CREATE UNIQUE INDEX "Membership_personId_key" ON "Membership"("personId");
CREATE INDEX "Membership_enterpriseId_idx" ON "Membership"("enterpriseId");
CREATE INDEX "Membership_status_idx" ON "Membership"("status");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
