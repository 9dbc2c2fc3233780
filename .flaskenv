# Read by the flask command (python-dotenv); secrets belong in .env, never here.
FLASK_APP=wsgi.py
FLASK_RUN_HOST=127.0.0.1
FLASK_RUN_PORT=8000
