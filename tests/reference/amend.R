# Golden values for the 2026-12 SPEC amendments (SPEC 3.3, 3.6, 3.9; issue #11):
# Welch's t-test deciding, Fisher's exact test, Newcombe's hybrid score interval for the
# risk difference (hand-coded from Newcombe 1998 and checked against his worked examples),
# Altman's NNT interval, CR2 for logistic models as clubSandwich computes it, the WWC
# correction of a clustered binary outcome whose logistic fit separates, and the SE of
# g_ANCOVA with its g^2/(2N) term.
# Run from this directory:  Rscript amend.R > amend.out 2>&1
source("_common.R")
suppressPackageStartupMessages(library(clubSandwich))
versions$clubSandwich <- as.character(packageVersion("clubSandwich"))
out <- list()

## 1. Welch's t-test (SPEC 3.3): the amendment's example and rows_trial.csv ----------------
xt <- exact_sample(20, 62, 30, 1); xc <- exact_sample(500, 54, 5, 2)
w <- t.test(xt, xc); s <- t.test(xt, xc, var.equal = TRUE)
print(w); print(s)
out$welch_example <- list(
  source = "t.test() and t.test(var.equal=TRUE) on exact samples n=20 mean 62 sd 30 vs n=500 mean 54 sd 5",
  n_t = 20, mean_t = 62, sd_t = 30, n_c = 500, mean_c = 54, sd_c = 5,
  p_value_welch = w$p.value, df_welch = unname(w$parameter), ci_welch = as.numeric(w$conf.int),
  se_welch = unname(w$stderr), p_value_student = s$p.value)
d0 <- read.csv("rows_trial.csv", stringsAsFactors = FALSE, na.strings = "")
da <- d0[!is.na(d0$post) & !is.na(d0$arm), ]
tw <- t.test(post ~ factor(arm, levels = c("tutored", "control")), data = da)
print(tw)
out$rows_welch <- list(source = "rows_trial.csv complete on post, arm: t.test() (Welch)",
  p_value = tw$p.value, df = unname(tw$parameter), ci = as.numeric(tw$conf.int),
  se = unname(tw$stderr))

## 2. Fisher's exact test (two-sided) and the expected-count rule (SPEC 3.6) --------------
tabs <- data.frame(n_t = c(130, 118, 20, 15, 40, 123, 231, 200, 1000),
                   events_t = c(0, 0, 3, 0, 12, 4, 3, 40, 2),
                   n_c = c(136, 105, 22, 15, 40, 139, 220, 200, 1000),
                   events_c = c(7, 0, 9, 5, 20, 11, 11, 20, 9))
fis <- apply(tabs, 1, function(r) {
  m <- matrix(c(r[["events_t"]], r[["events_c"]], r[["n_t"]] - r[["events_t"]],
                r[["n_c"]] - r[["events_c"]]), 2)
  ft <- fisher.test(m); ex <- suppressWarnings(chisq.test(m, correct = FALSE)$expected)
  c(p_fisher = ft$p.value, expected_min = min(ex))
})
tabs$p_fisher <- fis["p_fisher", ]; tabs$expected_min <- fis["expected_min", ]
print(tabs)
out$fisher <- list(source = "fisher.test(matrix(c(a, c, b, d), 2))$p.value; expected = chisq.test()$expected",
                   rows = tabs)

## 3. Newcombe's hybrid score interval (1998, method 10), hand-coded -------------------
wilson <- function(x, n, z = qnorm(0.975)) {
  p <- x / n
  centre <- 2 * n * p + z^2; half <- z * sqrt(z^2 + 4 * n * p * (1 - p)); den <- 2 * (n + z^2)
  c(if (x == 0) 0 else (centre - half) / den, if (x == n) 1 else (centre + half) / den)
}
newcombe <- function(x1, n1, x2, n2) {
  p1 <- x1 / n1; p2 <- x2 / n2; a <- wilson(x1, n1); b <- wilson(x2, n2); d <- p1 - p2
  c(d - sqrt((p1 - a[1])^2 + (b[2] - p2)^2), d + sqrt((a[2] - p1)^2 + (p2 - b[1])^2))
}
# Newcombe (1998) Table II examples (a)-(h) and the amendment's 0/118 vs 0/105.
ex <- data.frame(events_t = c(56, 9, 6, 5, 0, 0, 10, 10, 0, 0, 40),
                 n_t = c(70, 10, 7, 56, 10, 10, 10, 10, 118, 130, 200),
                 events_c = c(48, 3, 2, 0, 0, 0, 0, 0, 0, 7, 20),
                 n_c = c(80, 10, 7, 29, 20, 10, 20, 10, 105, 136, 200))
ci <- t(mapply(newcombe, ex$events_t, ex$n_t, ex$events_c, ex$n_c))
ex$lower <- ci[, 1]; ex$upper <- ci[, 2]
# Wilson limits cross-checked against prop.test(correct = FALSE).
ex$wilson_check <- mapply(function(x, n) {
  if (x == 0 || x == n) return(NA_real_)
  max(abs(prop.test(x, n, correct = FALSE)$conf.int - wilson(x, n)))
}, ex$events_t, ex$n_t)
print(ex, digits = 6)
stopifnot(all(ex$wilson_check < 1e-12, na.rm = TRUE))
out$newcombe <- list(source = "hand-coded Newcombe (1998) method 10 from Wilson score limits (checked against prop.test(correct=FALSE))",
                     rows = ex[, c("events_t", "n_t", "events_c", "n_c", "lower", "upper")])

## 4. NNT / NNH with Altman's (1998) interval ----------------------------------------
# 40/200 vs 20/200 of a harmful event (lower is better): RD = +0.10 is harm, NNH = 10.
rd <- 40 / 200 - 20 / 200; lim <- newcombe(40, 200, 20, 200)
out$nnh <- list(source = "1/|RD| and 1/Newcombe limits, lower is better", rd = rd,
                nnh = 1 / rd, ci = sort(1 / lim))
# 0/130 vs 7/136, lower is better: benefit; the RD interval is below 0 -> NNT interval.
rd2 <- 0 / 130 - 7 / 136; lim2 <- newcombe(0, 130, 7, 136)
out$nnt <- list(source = "1/|RD| and 1/|Newcombe limits|, lower is better", rd = rd2,
                nnt = 1 / abs(rd2), ci = sort(1 / abs(lim2)), rd_ci = lim2)
# 12/40 vs 20/40, higher is better: RD interval includes 0 -> through infinity.
rd3 <- 12 / 40 - 20 / 40; lim3 <- newcombe(12, 40, 20, 40)
out$nn_infinity <- list(source = "Altman 1998: NNT 1/upper to infinity to NNH 1/|lower|, higher is better",
                        rd = rd3, rd_ci = lim3, nnh = 1 / abs(rd3), nnt_limit = 1 / lim3[2],
                        nnh_limit = 1 / abs(lim3[1]))
str(out[c("nnh", "nnt", "nn_infinity")])

## 5. CR2 for a logistic model, clubSandwich (weights vary within clusters) --------------
set.seed(20261201)
Jg <- 24; sz <- sample(8:30, Jg, replace = TRUE); cl <- rep(seq_len(Jg), sz); ng <- length(cl)
arm <- rep(c("T", "C"), Jg / 2)[cl]; tr <- as.integer(arm == "T")
xpre <- round(rnorm(ng, 0, 1) + rnorm(Jg, 0, 0.5)[cl], 2)
yy <- rbinom(ng, 1, plogis(-0.4 + 0.5 * tr + 0.9 * xpre + rnorm(Jg, 0, 0.6)[cl]))
glm_data <- data.frame(school = sprintf("G%02d", cl), arm = arm, pre = xpre, y = yy)
write.csv(glm_data, "amend_glm.csv", row.names = FALSE)
g1 <- read.csv("amend_glm.csv", stringsAsFactors = FALSE); g1$treat <- as.integer(g1$arm == "T")
tight <- glm.control(epsilon = 1e-15, maxit = 100)
gf <- glm(y ~ treat + pre, family = binomial, data = g1, control = tight)
gct <- coef_test(gf, vcov = "CR2", cluster = g1$school, test = "Satterthwaite")
print(summary(gf)); print(gct)
out$glm_cr2 <- list(source = "amend_glm.csv: glm(y ~ treat + pre, binomial); clubSandwich coef_test(vcov='CR2', cluster=school, test='Satterthwaite')",
  estimate = unname(coef(gf)), se = gct$SE, df = gct$df_Satt, p_value = gct$p_Satt,
  n = nrow(g1))

## 6. Clustered binary outcome with no events in one arm (separation) -------------------
set.seed(7)
Js <- 12; szs <- rep(c(18, 22, 25), 4); cls <- rep(seq_len(Js), szs)
arms <- rep(c("T", "C"), Js / 2)[cls]
ys <- ifelse(arms == "T", 0L, rbinom(length(cls), 1, c(0.05, 0.15, 0.3)[(cls %% 3) + 1]))
sep <- data.frame(school = sprintf("K%02d", cls), arm = arms, event = ys)
write.csv(sep, "amend_separation.csv", row.names = FALSE)
s1 <- read.csv("amend_separation.csv", stringsAsFactors = FALSE)
a <- sum(s1$event[s1$arm == "T"]); nt_s <- sum(s1$arm == "T")
cc <- sum(s1$event[s1$arm == "C"]); nc_s <- sum(s1$arm == "C")
print(table(s1$arm, s1$event))
sg <- suppressWarnings(glm(event ~ I(arm == "T"), family = binomial, data = s1))
cat("glm coefficient (diverges under separation):", coef(sg)[2], "\n")
# 2x2 statistics: 0.5 added to every cell, Cox index, SE.
lor <- log(((a + .5) * (nc_s - cc + .5)) / ((nt_s - a + .5) * (cc + .5)))
se_lor <- sqrt(1 / (a + .5) + 1 / (nt_s - a + .5) + 1 / (cc + .5) + 1 / (nc_s - cc + .5))
# ICC, one-way ANOVA with schools nested in arms (as rows.R's icc_nested).
av <- anova(lm(event ~ arm + factor(school), data = s1))
nj <- table(s1$school, s1$arm); N <- nrow(s1)
n0 <- (N - sum(colSums(nj^2) / colSums(nj))) / (Js - 2)
msb <- av["factor(school)", "Mean Sq"]; msw <- av["Residuals", "Mean Sq"]
rho <- max(0, (msb - msw) / (msb + (n0 - 1) * msw))
# WWC clustering correction (SPEC 3.9).
g <- lor / 1.65; seg <- se_lor / 1.65; tt0 <- g / seg; nb <- N / Js
tA <- tt0 * sqrt(((N - 2) - 2 * (nb - 1) * rho) / ((N - 2) * (1 + (nb - 1) * rho)))
h <- ((N - 2) - 2 * (nb - 1) * rho)^2 /
  ((N - 2) * (1 - rho)^2 + nb * (N - 2 * nb) * rho^2 + 2 * (N - 2 * nb) * rho * (1 - rho))
p_wwc <- 2 * pt(abs(tA), h, lower.tail = FALSE)
out$separation <- list(source = "amend_separation.csv: 2x2 with 0.5 correction, Cox index, ICC by anova(lm(event ~ arm + factor(school))), WWC correction",
  events_t = a, n_t = nt_s, events_c = cc, n_c = nc_s, cox_index = g, se_cox = seg,
  icc = rho, t_adjusted = tA, df = h, p_value = p_wwc,
  p_fisher = fisher.test(matrix(c(a, cc, nt_s - a, nc_s - cc), 2))$p.value,
  rd_ci = newcombe(a, nt_s, cc, nc_s))
str(out$separation)

## 7. SE of g_ANCOVA with the g^2/(2N) term (rows_trial.csv, as rows.R 1b) -----------------
db <- d0[!is.na(d0$post) & !is.na(d0$arm) & !is.na(d0$pre), ]
db$treat <- as.integer(db$arm == "tutored")
fb <- lm(post ~ treat + pre, data = db); sb <- summary(fb)$coefficients
nt <- sum(db$treat); nc <- sum(1 - db$treat)
sp <- sqrt(((nt - 1) * var(db$post[db$treat == 1]) + (nc - 1) * var(db$post[db$treat == 0])) / (nt + nc - 2))
Jx <- exp(lgamma((nt + nc - 2) / 2) - 0.5 * log((nt + nc - 2) / 2) - lgamma((nt + nc - 3) / 2))
ga <- Jx * sb["treat", "Estimate"] / sp
out$ancova_g_se <- list(source = "rows_trial.csv: lm(post ~ treat + pre); SE = sqrt((J*SE_b/S)^2 + g^2/(2N))",
  g = ga, se = sqrt((Jx * sb["treat", "Std. Error"] / sp)^2 + ga^2 / (2 * (nt + nc))),
  se_without_term = Jx * sb["treat", "Std. Error"] / sp)
str(out$ancova_g_se)

write_golden(out, "amend")
