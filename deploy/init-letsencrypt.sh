#!/usr/bin/env bash
# First certificate for compose.yaml: nginx can't start without one, and certbot needs nginx to answer
# the challenge. So: a throw-away self-signed certificate, nginx up, the real one by webroot, reload.
# Usage: DOMAIN and CERTBOT_EMAIL in .env (or the environment); STAGING=1 to try against the staging CA.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f .env ] && set -a && . ./.env && set +a
: "${DOMAIN:?set DOMAIN}" "${CERTBOT_EMAIL:?set CERTBOT_EMAIL}"
live="/etc/letsencrypt/live/${DOMAIN}"

echo "placeholder certificate for ${DOMAIN}"
docker compose run --rm --entrypoint /bin/sh certbot -c "
  mkdir -p '${live}' &&
  openssl req -x509 -nodes -newkey rsa:2048 -days 1 -subj '/CN=localhost' \
    -keyout '${live}/privkey.pem' -out '${live}/fullchain.pem'"

echo "starting nginx (and the service behind it)"
docker compose up -d nginx

echo "requesting the real certificate"
docker compose run --rm --entrypoint /bin/sh certbot -c "
  rm -rf '/etc/letsencrypt/live/${DOMAIN}' '/etc/letsencrypt/archive/${DOMAIN}' '/etc/letsencrypt/renewal/${DOMAIN}.conf'"
staging=()
[ "${STAGING:-0}" = "1" ] && staging=(--staging)
docker compose run --rm certbot certonly --webroot -w /var/www/certbot \
  -d "${DOMAIN}" --email "${CERTBOT_EMAIL}" --agree-tos --no-eff-email --rsa-key-size 4096 "${staging[@]}"

echo "reloading nginx"
docker compose exec nginx nginx -s reload
docker compose up -d
