-- AlterTable
ALTER TABLE "SentMessage" ADD COLUMN     "threadId" TEXT;

-- CreateTable
CREATE TABLE "StoredFile" (
    "id" SERIAL NOT NULL,
    "sha256" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "mime" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "platformIds" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "StoredFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Problem" (
    "id" SERIAL NOT NULL,
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
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "firstReplyAt" TIMESTAMP(3),
    "resolvedAt" TIMESTAMP(3),
    "closedAt" TIMESTAMP(3),
    "revision" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "Problem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProblemCounter" (
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "ProblemCounter_pkey" PRIMARY KEY ("year")
);

-- CreateTable
CREATE TABLE "ProblemAffected" (
    "problemId" INTEGER NOT NULL,
    "enterpriseId" INTEGER NOT NULL,
    "personId" INTEGER,
    "joinedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProblemAffected_pkey" PRIMARY KEY ("problemId","enterpriseId")
);

-- CreateTable
CREATE TABLE "ProblemEntry" (
    "id" SERIAL NOT NULL,
    "problemId" INTEGER NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "authorId" INTEGER,
    "text" TEXT,
    "status" TEXT,
    "fromStatus" TEXT,

    CONSTRAINT "ProblemEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProblemFile" (
    "id" SERIAL NOT NULL,
    "entryId" INTEGER NOT NULL,
    "fileId" INTEGER NOT NULL,
    "name" TEXT,

    CONSTRAINT "ProblemFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ThreadFocus" (
    "key" TEXT NOT NULL,
    "problemId" INTEGER NOT NULL,
    "since" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ThreadFocus_pkey" PRIMARY KEY ("key")
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

-- AddForeignKey
ALTER TABLE "ProblemAffected" ADD CONSTRAINT "ProblemAffected_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProblemEntry" ADD CONSTRAINT "ProblemEntry_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ProblemFile" ADD CONSTRAINT "ProblemFile_entryId_fkey" FOREIGN KEY ("entryId") REFERENCES "ProblemEntry"("id") ON DELETE CASCADE ON UPDATE CASCADE;
