# The Mariner console as a container (docker-compose.yml). Built FROM the local MariaDB image (npm run image:build)
# so nothing is pulled: it already has the MariaDB client tools the console uses for dumps and restores.
# scripts/build-console-image.sh stages this machine's Node.js binary and the built app into the context.
FROM mariner/mariadb:10.11
COPY node /usr/local/bin/node
COPY tools /opt
RUN ln -s /opt/haproxy/wrapper /usr/sbin/haproxy && ln -s /opt/openssl/wrapper /usr/bin/openssl && openssl version
COPY app /opt/mariner
WORKDIR /opt/mariner
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 HOST=0.0.0.0 PORT=3000 MARINER_DATA_DIR=/data
EXPOSE 3000
CMD ["/usr/local/bin/node", "scripts/start.mjs"]
