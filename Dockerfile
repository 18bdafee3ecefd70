# Errata: build a static binary, ship it in a distroless non-root image.
#   docker build --build-arg VERSION=$(git describe --always --dirty) -t errata .
#   docker run --rm -p 8080:8080 errata
# CI has no Docker engine: .ci/run runs the `go build` line below verbatim
# (cmd/errata's tests check this file keeps its shape). Keep it on one line.

FROM golang:1.27.3-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/errata ./cmd/errata

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
LABEL org.opencontainers.image.title="Errata" \
      org.opencontainers.image.description="A searchable knowledge base of API error responses" \
      org.opencontainers.image.source="https://github.com/errata/errata" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/errata /errata
USER nonroot:nonroot
ENV ERRATA_ADDR=:8080 ERRATA_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 CMD ["/errata", "healthcheck"]
ENTRYPOINT ["/errata"]
CMD ["serve"]
