FROM node:24-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY . .
ENV HOST=0.0.0.0 PORT=8080
EXPOSE 8080
# Node 24 runs the TypeScript sources itself (type stripping): no build step, no loader.
CMD ["node", "src/main.ts"]
