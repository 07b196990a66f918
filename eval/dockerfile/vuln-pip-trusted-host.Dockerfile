FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --index-url http://pypi.corp.example/simple --trusted-host pypi.corp.example -r requirements.txt
COPY . .
USER 1000
