# Sokoni API image: slim Python, non-root, gunicorn. Same commands as the Makefile:
#   web:    flask db upgrade && gunicorn -c gunicorn.conf.py wsgi:app   (make serve)
#   worker: flask worker                                                 (make worker)
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    FLASK_APP=wsgi.py \
    SOKONI_CONFIG=production \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /srv/sokoni

RUN groupadd --system sokoni && useradd --system --gid sokoni --home-dir /srv/sokoni sokoni

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
RUN pip install --no-deps . \
    && mkdir -p instance && chown -R sokoni:sokoni instance

USER sokoni
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/api/health/').status != 200)"

CMD ["sh", "-c", "flask db upgrade && exec gunicorn -c gunicorn.conf.py wsgi:app"]
