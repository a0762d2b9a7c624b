-- CreateTable
CREATE TABLE "ProxyEndpoint" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "ownerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "master" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "writerPort" INTEGER NOT NULL,
    "readerPort" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "ProxyEndpoint_ownerId_name_key" ON "ProxyEndpoint"("ownerId", "name");
