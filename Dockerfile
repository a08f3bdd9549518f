# One image for the catalogue's web service and its harvest workers (deploy/compose.yaml runs both).
#   docker build -t municipal-catalog .
#   docker run -p 8000:8000 -v catalog-data:/app/data municipal-catalog          # web, embedded SQLite
#   docker run -e CATALOG_DATABASE__URL=postgresql+psycopg://... municipal-catalog catalog worker
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CATALOG_SERVER__HOST=0.0.0.0 \
    CATALOG_DATABASE__URL=sqlite:////app/data/catalog.db \
    CATALOG_MIGRATIONS=/app/migrations

WORKDIR /app
COPY pyproject.toml README.md ./
COPY catalog ./catalog
COPY harvesters ./harvesters
COPY vocab ./vocab
COPY migrations ./migrations
RUN pip install --no-cache-dir . && useradd --create-home catalog && mkdir -p /app/data /var/cache/catalog/dumps && chown catalog /app/data /var/cache/catalog/dumps
USER catalog
EXPOSE 8000
VOLUME ["/app/data"]
CMD ["sh", "-c", "catalog db upgrade && catalog serve"]
