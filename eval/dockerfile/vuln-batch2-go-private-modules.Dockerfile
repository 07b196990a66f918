FROM golang:1.22
ARG GITHUB_TOKEN=ghp_R4nd0mLook1ngT0kenV4lue9x8w7v6u5t4
RUN git config --global url."https://${GITHUB_TOKEN}@github.com/".insteadOf "https://github.com/"
WORKDIR /src
COPY . .
RUN go build -o /bin/app ./cmd/app
