FROM python:3.12.4-slim-bookworm@sha256:2fba8e70a87bcc9f6edd20dda0a1d4adb32046d2bde0330f1ef6d0b0b3b5c6f1
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
USER 1000
CMD ["python", "-m", "worker"]
