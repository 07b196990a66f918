FROM golang:1.22 AS build
WORKDIR /src
COPY id_ed25519 /root/.ssh/id_ed25519
RUN git config --global url."git@github.com:".insteadOf "https://github.com/" \
 && go mod download
COPY . .
RUN go build -o /out/app ./cmd/app
