-- AlterTable
ALTER TABLE "Outbox" ADD COLUMN "broadcastId" INTEGER;

-- AlterTable
ALTER TABLE "Person" ADD COLUMN "announcementsStoppedAt" DATETIME;

-- CreateTable
CREATE TABLE "Event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '{}',
    "startsAt" DATETIME NOT NULL,
    "venue" TEXT,
    "latitude" REAL,
    "longitude" REAL,
    "capacity" INTEGER,
    "rsvpDeadline" DATETIME,
    "reminders" TEXT NOT NULL DEFAULT '[1440,120]',
    "status" TEXT NOT NULL DEFAULT 'draft',
    "cancelReason" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "createdById" INTEGER,
    "publishedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "EventRsvp" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "eventId" INTEGER NOT NULL,
    "enterpriseId" INTEGER NOT NULL,
    "personId" INTEGER,
    "answer" TEXT NOT NULL,
    "delegates" INTEGER NOT NULL DEFAULT 0,
    "waiting" BOOLEAN NOT NULL DEFAULT false,
    "waitingSince" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "EventRsvp_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "Event" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Broadcast" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "eventId" INTEGER,
    "authorId" INTEGER,
    "texts" TEXT NOT NULL,
    "fileId" INTEGER,
    "audience" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "scheduledAt" DATETIME,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "total" INTEGER NOT NULL DEFAULT 0,
    "sentCount" INTEGER NOT NULL DEFAULT 0,
    "unreachableCount" INTEGER NOT NULL DEFAULT 0,
    "failedCount" INTEGER NOT NULL DEFAULT 0,
    "paid" BOOLEAN NOT NULL DEFAULT false,
    "authorChannel" TEXT,
    "authorChatId" TEXT,
    "authorLocale" TEXT,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "Event_status_startsAt_idx" ON "Event"("status", "startsAt");

-- CreateIndex
CREATE INDEX "EventRsvp_eventId_answer_waiting_idx" ON "EventRsvp"("eventId", "answer", "waiting");

-- CreateIndex
CREATE INDEX "EventRsvp_personId_idx" ON "EventRsvp"("personId");

-- CreateIndex
CREATE UNIQUE INDEX "EventRsvp_eventId_enterpriseId_key" ON "EventRsvp"("eventId", "enterpriseId");

-- CreateIndex
CREATE INDEX "Broadcast_status_idx" ON "Broadcast"("status");

-- CreateIndex
CREATE INDEX "Broadcast_eventId_idx" ON "Broadcast"("eventId");

-- CreateIndex
CREATE INDEX "Outbox_broadcastId_status_idx" ON "Outbox"("broadcastId", "status");
