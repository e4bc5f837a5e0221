# Checks of reported numbers (issue #11 item 6): statcheck's p recomputation and GRIM /
# GRIMMER, coded in R independently of evidencekit, on the methods' published examples.
#
# statcheck (Nuijten et al. 2016, Behav. Res. Methods 48:1205-1226; R package statcheck)
# recomputes p from the test statistic and df with pt/pf/pchisq/pnorm; a reported p is an
# error when it lies outside the p's of the statistic's rounding range [x - h, x + h]
# (h = half a unit of its last decimal) rounded to the p's decimals, and a decision error
# when, in addition, the reported and recomputed p fall on different sides of .05. The
# expected classifications are statcheck's own test cases (tests/testthat/test-error.R and
# test-decisionerror.R in github.com/MicheleNuijten/statcheck): the statcheck package is not
# packaged for Debian, so the rule is coded here.
#
# GRIM (Brown & Heathers 2017, Soc. Psychol. Personal. Sci. 8:363-369): a mean of n integer
# scores is total/n; consistent when some integer total rounds to the reported mean.
# GRIMMER (Anaya 2016, PeerJ Preprints 4:e2400; in closed form Allard 2018, "Analytic-
# GRIMMER"): with such a total T, the sum of squares Q = (n-1)*SD^2 + T^2/n must be an
# integer within the reported SD's rounding range, with Q = T (mod 2).
# Examples: Brown & Heathers' 5.19 with n = 28; rsprite2's GRIMMER tests (5.21, 1.60, 28
# consistent; 3.44, 2.47, 18 not); scrutiny's GRIMMER vignette (7.3, 2.51, 12: not);
# INSPECT-SR check 4.8, example 1 (Apgar scores, n = 30: means 8.96 and 9.96 fail GRIM,
# mean 9.93 with SD 0.18 fails GRIMMER); a 1..6 die (3.5, 1.87, 6) and a near miss.
# Run from this directory:  Rscript consistency.R > consistency.out 2>&1
source("_common.R")
out <- list()

p_of <- function(test, x, df1, df2) {
  x <- abs(x)
  switch(test,
         t = 2 * pt(-x, df1),
         z = 2 * pnorm(-x),
         F = pf(x, df1, df2, lower.tail = FALSE),
         chi2 = pchisq(x, df1, lower.tail = FALSE))
}

statcheck_rule <- function(test, value, dec_x, p, dec_p, comparison, df1 = NA, df2 = NA) {
  h <- 0.5 * 10^-dec_x
  lo <- max(0, abs(value) - h); hi <- abs(value) + h
  p_at <- p_of(test, value, df1, df2)
  p_small <- p_of(test, hi, df1, df2); p_large <- p_of(test, lo, df1, df2)
  low <- round(p_small, dec_p); high <- round(p_large, dec_p)
  error <- switch(comparison,
                  "=" = !(p >= low - 1e-12 && p <= high + 1e-12),
                  "<" = !(p_small < p),
                  ">" = !(p_large > p))
  sig_reported <- if (comparison == ">") p < 0.05 else p <= 0.05
  list(test = test, value = value, statistic_decimals = dec_x, reported_p = p,
       p_decimals = dec_p, comparison = comparison, df1 = df1, df2 = df2,
       recomputed_p = p_at, p_range = c(p_small, p_large), error = error,
       decision_error = error && (sig_reported != (p_at <= 0.05)))
}

# text as in statcheck's tests, then what statcheck decides (error, decision error)
cases <- list(
  list("t(28) = 2.20, p = .06", "t", 2.20, 2, .06, 2, "=", 28, NA, TRUE, TRUE),
  list("t(28) = 1.20, p = .03", "t", 1.20, 2, .03, 2, "=", 28, NA, TRUE, TRUE),
  list("F(2, 28) = 22.20, p = .06", "F", 22.20, 2, .06, 2, "=", 2, 28, TRUE, TRUE),
  list("F(2, 28) = 2.20, p = .03", "F", 2.20, 2, .03, 2, "=", 2, 28, TRUE, TRUE),
  list("chi2(28) = 2.20, p = .03", "chi2", 2.20, 2, .03, 2, "=", 28, NA, TRUE, TRUE),
  list("chi2(28) = 52.20, p = .06", "chi2", 52.20, 2, .06, 2, "=", 28, NA, TRUE, TRUE),
  list("z = 1.20, p = .03", "z", 1.20, 2, .03, 2, "=", NA, NA, TRUE, TRUE),
  list("z = 2.20, p = .06", "z", 2.20, 2, .06, 2, "=", NA, NA, TRUE, TRUE),
  list("t(28) = 2.20, p = .03", "t", 2.20, 2, .03, 2, "=", 28, NA, TRUE, FALSE),
  list("F(2, 28) = 2.20, p = .15", "F", 2.20, 2, .15, 2, "=", 2, 28, TRUE, FALSE),
  list("chi2(28) = 22.20, p = .79", "chi2", 22.20, 2, .79, 2, "=", 28, NA, TRUE, FALSE),
  list("z = 2.20, p = .04", "z", 2.20, 2, .04, 2, "=", NA, NA, TRUE, FALSE),
  list("Z = -2.42, p = 0.016", "z", -2.42, 2, .016, 3, "=", NA, NA, FALSE, FALSE),
  list("t(28) = -2.20, p = .03", "t", -2.20, 2, .03, 2, "=", 28, NA, TRUE, FALSE),
  list("t(28) = 2.20, p > .05", "t", 2.20, 2, .05, 2, ">", 28, NA, TRUE, TRUE),
  list("t(28) = 2.0, p < .05", "t", 2.0, 1, .05, 2, "<", 28, NA, FALSE, FALSE),
  list("t(100) = 1, p < 0.001", "t", 1, 0, .001, 3, "<", 100, NA, TRUE, TRUE)
)
out$statcheck <- lapply(cases, function(c) {
  r <- statcheck_rule(c[[2]], c[[3]], c[[4]], c[[5]], c[[6]], c[[7]], c[[8]], c[[9]])
  stopifnot(r$error == c[[10]], r$decision_error == c[[11]])  # the rule reproduces statcheck
  cat(sprintf("%-28s recomputed p = %.6f  error %s  decision error %s\n", c[[1]],
              r$recomputed_p, r$error, r$decision_error))
  c(list(text = c[[1]], statcheck_error = c[[10]], statcheck_decision_error = c[[11]]), r)
})

grim_r <- function(mean, n, dec) {
  h <- 0.5 * 10^-dec
  lo <- ceiling((mean - h) * n - 1e-9); hi <- floor((mean + h) * n + 1e-9)
  if (lo > hi) integer(0) else lo:hi
}

grimmer_r <- function(mean, sd, n, dec_m, dec_s) {
  totals <- grim_r(mean, n, dec_m)
  if (length(totals) == 0) return(list(grim = FALSE, grimmer = FALSE))
  hs <- 0.5 * 10^-dec_s
  s_lo <- max(0, sd - hs); s_hi <- sd + hs
  for (t in totals) {
    base <- t^2 / n
    q_lo <- ceiling((n - 1) * s_lo^2 + base - 1e-7)
    q_hi <- floor((n - 1) * s_hi^2 + base + 1e-7)
    if (q_lo <= q_hi) for (q in q_lo:q_hi) if ((q - t) %% 2 == 0) return(list(grim = TRUE, grimmer = TRUE))
  }
  list(grim = TRUE, grimmer = FALSE)
}

published <- list(
  list("Brown & Heathers (2017): 5.19, n = 28", 5.19, NA, 28, 2, NA, FALSE, NA),
  list("Brown & Heathers (2017): 5.18, n = 28", 5.18, NA, 28, 2, NA, TRUE, NA),
  list("rsprite2 GRIMMER test: 5.21, SD 1.60, n = 28", 5.21, 1.60, 28, 2, 2, TRUE, TRUE),
  list("rsprite2 GRIMMER test: 3.44, SD 2.47, n = 18", 3.44, 2.47, 18, 2, 2, TRUE, FALSE),
  list("scrutiny GRIMMER vignette: 7.3, SD 2.51, n = 12", 7.3, 2.51, 12, 1, 2, TRUE, FALSE),
  list("INSPECT-SR 4.8 ex. 1: Apgar 8.96, n = 30", 8.96, NA, 30, 2, NA, FALSE, NA),
  list("INSPECT-SR 4.8 ex. 1: Apgar 9.96, n = 30", 9.96, NA, 30, 2, NA, FALSE, NA),
  list("INSPECT-SR 4.8 ex. 1: Apgar 9.93, SD 0.18, n = 30", 9.93, 0.18, 30, 2, 2, TRUE, FALSE),
  list("a die 1..6: 3.5, SD 1.87, n = 6", 3.5, 1.87, 6, 1, 2, TRUE, TRUE),
  list("a die 1..6 misreported: 3.5, SD 1.88, n = 6", 3.5, 1.88, 6, 1, 2, TRUE, FALSE)
)
out$grim_published <- lapply(published, function(c) {
  if (is.na(c[[3]])) {
    g <- length(grim_r(c[[2]], c[[4]], c[[5]])) > 0; r <- list(grim = g, grimmer = NA)
  } else r <- grimmer_r(c[[2]], c[[3]], c[[4]], c[[5]], c[[6]])
  stopifnot(r$grim == c[[7]], identical(is.na(c[[8]]), is.na(r$grimmer)),
            is.na(c[[8]]) || r$grimmer == c[[8]])
  cat(sprintf("%-52s GRIM %s  GRIMMER %s\n", c[[1]], r$grim, r$grimmer))
  list(source = c[[1]], mean = c[[2]], sd = c[[3]], n = c[[4]], mean_decimals = c[[5]],
       sd_decimals = c[[6]], grim = r$grim, grimmer = r$grimmer)
})

# A grid: every mean 1.00..5.00 (step .07) x n 5..30 (step 5) x SD .50..2.50 (step .13)
grid <- list()
for (m in round(seq(1, 5, by = 0.07), 2)) for (n in seq(5, 30, by = 5)) for (s in round(seq(0.5, 2.5, by = 0.13), 2)) {
  r <- grimmer_r(m, s, n, 2, 2)
  grid[[length(grid) + 1]] <- c(m, s, n, r$grim, r$grimmer)
}
grid <- do.call(rbind, grid)
out$grimmer_grid <- list(source = "grimmer_r() above on a grid, 2 decimals for mean and SD",
                         mean = grid[, 1], sd = grid[, 2], n = grid[, 3],
                         grim = as.logical(grid[, 4]), grimmer = as.logical(grid[, 5]))
cat("grid:", nrow(grid), "cases,", sum(!grid[, 4]), "GRIM-inconsistent,",
    sum(grid[, 4] & !grid[, 5]), "GRIMMER-inconsistent\n")

write_golden(out, "consistency")
