#!/bin/sh
# Makes the cluster's CA and node certificates (KurrentDB's es-gencert-cli) and a
# self-signed certificate for the proxy (replace it with a real one).
set -eu
cd "$(dirname "$0")"
mkdir -p certs secrets
docker run --rm -u "$(id -u):$(id -g)" -v "$PWD/certs:/certs" -w /certs \
  docker.kurrent.io/eventstore-utils/es-gencert-cli:latest create-ca -out /certs/ca
for n in 1 2 3; do
  docker run --rm -u "$(id -u):$(id -g)" -v "$PWD/certs:/certs" -w /certs \
    docker.kurrent.io/eventstore-utils/es-gencert-cli:latest create-node \
    -ca-certificate /certs/ca/ca.crt -ca-key /certs/ca/ca.key -out "/certs/node$n" \
    -ip-addresses "127.0.0.1,172.30.240.1$n" -dns-names "localhost,node$n"
done
mkdir -p certs/proxy
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=roundtable.local" \
  -keyout certs/proxy/key.pem -out certs/proxy/cert.pem
echo "certificates in $(pwd)/certs"
