-- AlterTable
ALTER TABLE "Outbox" ADD COLUMN     "lane" TEXT NOT NULL DEFAULT 'conversation',
ADD COLUMN     "leaseUntil" TIMESTAMP(3),
ADD COLUMN     "leasedBy" TEXT,
ADD COLUMN     "messageId" TEXT,
ADD COLUMN     "priority" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "sentAt" TIMESTAMP(3),
ADD COLUMN     "status" TEXT NOT NULL DEFAULT 'queued',
ADD COLUMN     "updatedAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "OutboxPace" (
    "channel" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "tokens" DOUBLE PRECISION NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "pausedUntil" TIMESTAMP(3),
    "readyAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboxPace_pkey" PRIMARY KEY ("channel","key")
);

-- CreateIndex
CREATE INDEX "OutboxPace_channel_readyAt_idx" ON "OutboxPace"("channel", "readyAt");

-- CreateIndex
CREATE INDEX "Outbox_channel_status_priority_id_idx" ON "Outbox"("channel", "status", "priority", "id");

-- CreateIndex
CREATE INDEX "Outbox_channel_chatId_status_id_idx" ON "Outbox"("channel", "chatId", "status", "id");

-- CreateIndex
CREATE INDEX "Outbox_status_updatedAt_idx" ON "Outbox"("status", "updatedAt");

-- CreateIndex
CREATE INDEX "Outbox_tag_idx" ON "Outbox"("tag");
