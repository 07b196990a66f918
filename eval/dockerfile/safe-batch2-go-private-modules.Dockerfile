# syntax=docker/dockerfile:1.7
FROM golang:1.22
WORKDIR /src
COPY . .
RUN --mount=type=secret,id=gh_token \
    git config --global url."https://$(cat /run/secrets/gh_token)@github.com/".insteadOf "https://github.com/" \
 && go build -o /bin/app ./cmd/app
