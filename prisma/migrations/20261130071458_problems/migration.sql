-- AlterTable
ALTER TABLE "SentMessage" ADD COLUMN "threadId" TEXT;

-- CreateTable
CREATE TABLE "StoredFile" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "mime" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "platformIds" TEXT NOT NULL DEFAULT '{}'
);

-- CreateTable
CREATE TABLE "Problem" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "ref" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "enterpriseId" INTEGER NOT NULL,
    "reporterId" INTEGER,
    "category" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "anonymous" BOOLEAN NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'new',
    "forwardedTo" TEXT,
    "assigneeId" INTEGER,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "firstReplyAt" DATETIME,
    "resolvedAt" DATETIME,
    "closedAt" DATETIME,
    "revision" INTEGER NOT NULL DEFAULT 0
);

-- CreateTable
CREATE TABLE "ProblemCounter" (
    "year" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "last" INTEGER NOT NULL
);

-- CreateTable
CREATE TABLE "ProblemAffected" (
    "problemId" INTEGER NOT NULL,
    "enterpriseId" INTEGER NOT NULL,
    "personId" INTEGER,
    "joinedAt" DATETIME NOT NULL,

    PRIMARY KEY ("problemId", "enterpriseId"),
    CONSTRAINT "ProblemAffected_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProblemEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "problemId" INTEGER NOT NULL,
    "at" DATETIME NOT NULL,
    "kind" TEXT NOT NULL,
    "authorId" INTEGER,
    "text" TEXT,
    "status" TEXT,
    "fromStatus" TEXT,
    CONSTRAINT "ProblemEntry_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ProblemFile" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "entryId" INTEGER NOT NULL,
    "fileId" INTEGER NOT NULL,
    "name" TEXT,
    CONSTRAINT "ProblemFile_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "ProblemEntry" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ThreadFocus" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "problemId" INTEGER NOT NULL,
    "since" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "StoredFile_sha256_key" ON "StoredFile"("sha256");

-- CreateIndex
CREATE UNIQUE INDEX "Problem_ref_key" ON "Problem"("ref");

-- CreateIndex
CREATE INDEX "Problem_status_idx" ON "Problem"("status");

-- CreateIndex
CREATE INDEX "Problem_enterpriseId_idx" ON "Problem"("enterpriseId");

-- CreateIndex
CREATE INDEX "Problem_category_status_idx" ON "Problem"("category", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Problem_year_seq_key" ON "Problem"("year", "seq");

-- CreateIndex
CREATE INDEX "ProblemAffected_enterpriseId_idx" ON "ProblemAffected"("enterpriseId");

-- CreateIndex
CREATE INDEX "ProblemEntry_problemId_id_idx" ON "ProblemEntry"("problemId", "id");

-- CreateIndex
CREATE INDEX "ProblemEntry_authorId_idx" ON "ProblemEntry"("authorId");

-- CreateIndex
CREATE INDEX "ProblemFile_entryId_idx" ON "ProblemFile"("entryId");

-- CreateIndex
CREATE INDEX "ProblemFile_fileId_idx" ON "ProblemFile"("fileId");

-- CreateIndex
CREATE INDEX "SentMessage_channel_chatId_threadId_idx" ON "SentMessage"("channel", "chatId", "threadId");
