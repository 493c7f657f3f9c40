# syntax=docker/dockerfile:1
FROM python:3.11-slim-bookworm AS build
# tesserocr is built against Debian's libtesseract, the one the runtime stage installs.
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ pkg-config libtesseract-dev libleptonica-dev \
    && rm -rf /var/lib/apt/lists/* \
    && pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
# Dependencies first, in their own cached layer.
RUN uv sync --frozen --no-dev --no-install-project
COPY daemon daemon
COPY extraction extraction
COPY matching matching
COPY review_api review_api
COPY storage storage
RUN uv sync --frozen --no-dev

FROM python:3.11-slim-bookworm
RUN apt-get update \
    && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra \
       tesseract-ocr-deu tesseract-ocr-osd poppler-utils \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data apinbox \
    && mkdir -p /data && chown apinbox /data
COPY --from=build /app /app
ENV PATH=/app/.venv/bin:$PATH \
    APINBOX_STORAGE__DATA_DIR=/data \
    APINBOX_REVIEW__HOST=0.0.0.0
USER apinbox
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
CMD ["apinbox", "run"]
