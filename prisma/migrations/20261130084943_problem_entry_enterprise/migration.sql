-- AlterTable
ALTER TABLE "ProblemEntry" ADD COLUMN "enterpriseId" INTEGER;

-- CreateIndex
CREATE INDEX "ProblemEntry_problemId_enterpriseId_idx" ON "ProblemEntry"("problemId", "enterpriseId");
