# The catalogue's web service (and, with another command, its CLI and harvest runs).
#   docker build -t municipal-catalog .
#   docker run -p 8000:8000 -v catalog-data:/app/data municipal-catalog
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
RUN pip install --no-cache-dir . && useradd --create-home catalog && mkdir -p /app/data && chown catalog /app/data
USER catalog
EXPOSE 8000
VOLUME ["/app/data"]
CMD ["sh", "-c", "catalog db upgrade && catalog serve"]
