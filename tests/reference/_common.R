# Shared helpers for the golden-value scripts. Each script writes <name>.json next to it;
# run from this directory:  Rscript smd.R > smd.out 2>&1   (see README.md).
suppressPackageStartupMessages({
  library(jsonlite)
  library(metafor)
  library(pwr)
})

versions <- list(
  R = R.version.string,
  metafor = as.character(packageVersion("metafor")),
  metadat = as.character(packageVersion("metadat")),
  pwr = as.character(packageVersion("pwr"))
)

write_golden <- function(x, name) {
  x$`_meta` <- c(versions, list(script = paste0(name, ".R")))
  write_json(x, paste0(name, ".json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
  cat("wrote", paste0(name, ".json"), "\n")
}

# A sample whose mean and SD (ddof = 1) are exactly the given summary (up to rounding),
# so that t.test() on it reproduces the summary-statistics test.
exact_sample <- function(n, mean, sd, seed) {
  set.seed(seed)
  mean + sd * as.numeric(scale(rnorm(n)))
}

# Paired samples with exactly the given means, SDs and Pearson correlation r.
exact_pairs <- function(n, mean_pre, sd_pre, mean_post, sd_post, r, seed) {
  set.seed(seed)
  z1 <- as.numeric(scale(rnorm(n)))
  z2 <- as.numeric(scale(residuals(lm(rnorm(n) ~ z1))))
  list(pre = mean_pre + sd_pre * z1,
       post = mean_post + sd_post * (r * z1 + sqrt(1 - r^2) * z2))
}

options(digits = 15)
