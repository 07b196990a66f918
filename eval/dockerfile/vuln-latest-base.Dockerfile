FROM python:latest
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
USER 1000
CMD ["python", "-m", "worker"]
