-- CreateTable
CREATE TABLE "OutboxPace" (
    "channel" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "tokens" REAL NOT NULL,
    "at" DATETIME NOT NULL,
    "pausedUntil" DATETIME,
    "readyAt" DATETIME NOT NULL,

    PRIMARY KEY ("channel", "key")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Outbox" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channel" TEXT NOT NULL,
    "chatId" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "tag" TEXT,
    "locale" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "notBefore" DATETIME,
    "lastError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL DEFAULT 'queued',
    "lane" TEXT NOT NULL DEFAULT 'conversation',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "leaseUntil" DATETIME,
    "leasedBy" TEXT,
    "messageId" TEXT,
    "sentAt" DATETIME,
    "updatedAt" DATETIME
);
INSERT INTO "new_Outbox" ("attempts", "channel", "chatId", "createdAt", "id", "lastError", "locale", "notBefore", "payload", "tag") SELECT "attempts", "channel", "chatId", "createdAt", "id", "lastError", "locale", "notBefore", "payload", "tag" FROM "Outbox";
DROP TABLE "Outbox";
ALTER TABLE "new_Outbox" RENAME TO "Outbox";
CREATE INDEX "Outbox_channel_id_idx" ON "Outbox"("channel", "id");
CREATE INDEX "Outbox_channel_status_priority_id_idx" ON "Outbox"("channel", "status", "priority", "id");
CREATE INDEX "Outbox_channel_chatId_status_id_idx" ON "Outbox"("channel", "chatId", "status", "id");
CREATE INDEX "Outbox_status_updatedAt_idx" ON "Outbox"("status", "updatedAt");
CREATE INDEX "Outbox_tag_idx" ON "Outbox"("tag");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "OutboxPace_channel_readyAt_idx" ON "OutboxPace"("channel", "readyAt");
