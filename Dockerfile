# One image for every POS process; docker-compose.yml picks the command.
FROM python:3.11-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cd supergraph/graphiql && npm ci && npm run build
RUN cd web && npm ci && npm run build
RUN pip wheel --no-deps -w /wheels .

FROM python:3.11-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl
COPY schema /app/schema
WORKDIR /app
ENTRYPOINT ["pos"]
