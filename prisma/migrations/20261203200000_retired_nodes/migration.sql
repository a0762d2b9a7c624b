-- Nodes whose rows were deleted while their container/service could not be removed: the only ones the orphan
-- sweep may remove. Anything else on an engine is left alone (another console's, or a newer backup's).
CREATE TABLE "RetiredNode" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "runtime" TEXT NOT NULL,
    "retiredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
