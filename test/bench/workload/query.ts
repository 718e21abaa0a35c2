/**
 * The public graphql-hive/graphql-gateways-benchmark's k6 `TestQuery`, text unchanged: users
 * → their reviews → products → their reviews → authors → their reviews → products, and
 * topProducts → reviews → authors → reviews → products (all four subgraphs, @requires and
 * @provides on the way). Its answer is ~55 KB.
 */
export const WORKLOAD_QUERY = `fragment User on User {
      id
      username
      name
    }

    fragment Review on Review {
      id
      body
    }

    fragment Product on Product {
      inStock
      name
      price
      shippingEstimate
      upc
      weight
    }

    query TestQuery {
      users {
        ...User
        reviews {
          ...Review
          product {
            ...Product
            reviews {
              ...Review
              author {
                ...User
                reviews {
                  ...Review
                  product {
                    ...Product
                  }
                }
              }
            }
          }
        }
      }
      topProducts {
        ...Product
        reviews {
          ...Review
          author {
            ...User
            reviews {
              ...Review
              product {
                ...Product
              }
            }
          }
        }
      }
    }`;

/** The request body the bench sends: `{"query": WORKLOAD_QUERY}`. */
export const WORKLOAD_BODY = JSON.stringify({ query: WORKLOAD_QUERY });
