-- Docker hosts on other machines: the address applications and other hosts use, and TLS client credentials
-- for the engine's tcp:// endpoint (each PEM encrypted with the console's secret key, like root passwords).
ALTER TABLE "DockerHost" ADD COLUMN "advertisedAddress" TEXT;
ALTER TABLE "DockerHost" ADD COLUMN "tlsCaEnc" TEXT;
ALTER TABLE "DockerHost" ADD COLUMN "tlsCertEnc" TEXT;
ALTER TABLE "DockerHost" ADD COLUMN "tlsKeyEnc" TEXT;
