FROM python:3.12-slim
WORKDIR /app
COPY corp-ca.pem /etc/ssl/certs/corp-ca.pem
COPY requirements.txt .
RUN pip install --no-cache-dir --cert /etc/ssl/certs/corp-ca.pem --index-url https://pypi.corp.example/simple -r requirements.txt
COPY . .
USER 1000
