# Golden values for row-level outcome data (evidencekit.analysis.rows, evidencekit.stats
# regression / clustered): builds three small deterministic data sets, writes them as CSV
# next to this script, reads them back (so R and evidencekit see the same decimal text)
# and records what R's lm, t.test, glm, clubSandwich, metafor, pwr and binom.test say.
# Run from this directory:  Rscript rows.R > rows.out 2>&1
source("_common.R")
suppressPackageStartupMessages(library(clubSandwich))
versions$clubSandwich <- as.character(packageVersion("clubSandwich"))
out <- list()

## 1. A school-randomised trial: 40 schools (20 per arm), 10-20 pupils each ----------------
set.seed(20240601)
J <- 40
school_arm <- rep(c("tutored", "control"), J / 2)
size <- sample(10:20, J, replace = TRUE)
school <- rep(seq_len(J), size)
n <- length(school)
u <- rnorm(J, 0, 3)
treat <- as.integer(school_arm[school] == "tutored")
pre <- 50 + u[school] + rnorm(n, 0, 9)
age <- round(runif(n, 11, 16), 1)
fsm <- rbinom(n, 1, 0.3)
post <- 8 + 0.85 * pre + 2.5 * treat + 1.0 * (age - 13) - 2 * fsm + 0.8 * u[school] + rnorm(n, 0, 7)
passed <- ifelse(post + rnorm(n, 0, 4) > 54, "yes", "no")
passed_pre <- ifelse(pre + rnorm(n, 0, 4) > 52, "Yes", "No")   # mixed case on purpose
trial <- data.frame(pupil = seq_len(n), school = sprintf("S%02d", school),
                    arm = school_arm[school], pre = round(pre, 1), post = round(post, 1),
                    age = age, fsm = fsm, passed = passed, passed_pre = passed_pre)
# Missing values, to exercise listwise deletion: 8 outcomes, 5 pretests, 3 ages, 2 groups.
trial$post[c(7, 45, 101, 160, 222, 300, 333, 401)] <- NA
trial$pre[c(12, 45, 250, 380, 399)] <- NA
trial$age[c(5, 77, 390)] <- NA
trial$arm[c(64, 200)] <- NA
trial$passed[c(7, 45, 101)] <- NA
write.csv(trial, "rows_trial.csv", row.names = FALSE, na = "")
d0 <- read.csv("rows_trial.csv", stringsAsFactors = FALSE, na.strings = "")
d0$treat <- as.integer(d0$arm == "tutored")
cat("rows:", nrow(d0), " schools:", length(unique(d0$school)), "\n")

group_stats <- function(d, y) {
  s <- function(a) { v <- d[[y]][d$arm == a]; list(n = length(v), mean = mean(v), sd = sd(v)) }
  list(treatment = s("tutored"), control = s("control"))
}
icc_nested <- function(d, y) {
  # One-way ANOVA estimator of the ICC with schools nested in arms:
  # MSB = schools-within-arms mean square, MSW = residual mean square,
  # n0 = (N - sum_arms sum_j n_j^2 / N_arm) / (J - 2), ICC = (MSB - MSW) / (MSB + (n0 - 1) MSW).
  a <- anova(lm(as.formula(paste(y, "~ arm + factor(school)")), data = d))
  nj <- table(d$school, d$arm)
  N <- nrow(d); Jn <- length(unique(d$school))
  n0 <- (N - sum(colSums(nj^2) / colSums(nj))) / (Jn - 2)
  msb <- a["factor(school)", "Mean Sq"]; msw <- a["Residuals", "Mean Sq"]
  list(msb = msb, msw = msw, n0 = n0, icc = max(0, (msb - msw) / (msb + (n0 - 1) * msw)),
       clusters = Jn)
}
cr2 <- function(fit, cluster, coef = "treat") {
  ct <- coef_test(fit, vcov = "CR2", cluster = cluster, test = "Satterthwaite")
  row <- ct[ct$Coef == coef, ]
  list(estimate = unname(coef(fit)[coef]), se = row$SE, t = row$tstat, df = row$df_Satt,
       p_value = row$p_Satt)
}
lm_coef <- function(fit, coef = "treat") {
  s <- summary(fit)$coefficients
  list(estimate = s[coef, "Estimate"], se = s[coef, "Std. Error"], t = s[coef, "t value"],
       p_value = s[coef, "Pr(>|t|)"], df = fit$df.residual)
}

# (a) Unadjusted two-group analysis: rows complete on post and arm.
da <- d0[!is.na(d0$post) & !is.na(d0$arm), ]
tt <- t.test(post ~ factor(arm, levels = c("tutored", "control")), data = da, var.equal = TRUE)
tw <- t.test(post ~ factor(arm, levels = c("tutored", "control")), data = da)
es <- escalc("SMD", m1i = mean(da$post[da$arm == "tutored"]), sd1i = sd(da$post[da$arm == "tutored"]),
             n1i = sum(da$arm == "tutored"), m2i = mean(da$post[da$arm == "control"]),
             sd2i = sd(da$post[da$arm == "control"]), n2i = sum(da$arm == "control"))
print(tt); print(tw); print(es)
out$unadjusted <- list(
  source = "rows_trial.csv complete on post, arm: t.test(var.equal=TRUE), t.test() (Welch), escalc('SMD')",
  groups = group_stats(da, "post"), mean_difference = unname(tt$estimate[1] - tt$estimate[2]),
  t = unname(tt$statistic), p_value = tt$p.value, ci = as.numeric(tt$conf.int),
  p_value_welch = tw$p.value, hedges_g = as.numeric(es$yi), var_g = as.numeric(es$vi),
  dropped = list(treatment = sum(is.na(d0$post) & d0$arm %in% "tutored"),
                 control = sum(is.na(d0$post) & d0$arm %in% "control"),
                 no_group = sum(is.na(d0$arm))))

# (b) ANCOVA on the pretest: rows complete on post, arm, pre (and school).
db <- d0[!is.na(d0$post) & !is.na(d0$arm) & !is.na(d0$pre), ]
fit_b <- lm(post ~ treat + pre, data = db)
print(summary(fit_b))
es_pre <- escalc("SMD", m1i = mean(db$pre[db$arm == "tutored"]), sd1i = sd(db$pre[db$arm == "tutored"]),
                 n1i = sum(db$arm == "tutored"), m2i = mean(db$pre[db$arm == "control"]),
                 sd2i = sd(db$pre[db$arm == "control"]), n2i = sum(db$arm == "control"))
es_post <- escalc("SMD", m1i = mean(db$post[db$arm == "tutored"]), sd1i = sd(db$post[db$arm == "tutored"]),
                  n1i = sum(db$arm == "tutored"), m2i = mean(db$post[db$arm == "control"]),
                  sd2i = sd(db$post[db$arm == "control"]), n2i = sum(db$arm == "control"))
gs <- group_stats(db, "post")
nt <- gs$treatment$n; nc <- gs$control$n
s_pooled <- sqrt(((nt - 1) * gs$treatment$sd^2 + (nc - 1) * gs$control$sd^2) / (nt + nc - 2))
J_exact <- exp(lgamma((nt + nc - 2) / 2) - 0.5 * log((nt + nc - 2) / 2) - lgamma((nt + nc - 3) / 2))
# Pooled within-group pre-post correlation (for the difference-in-differences variance).
r_within <- with(db, { rt <- pre - ave(pre, arm); ro <- post - ave(post, arm); sum(rt * ro) / sqrt(sum(rt^2) * sum(ro^2)) })
out$ancova <- c(list(source = "rows_trial.csv complete on post, arm, pre: lm(post ~ treat + pre)"),
  lm_coef(fit_b), list(groups = gs, s_pooled = s_pooled, j = J_exact,
  hedges_g_ancova = J_exact * coef(fit_b)[["treat"]] / s_pooled,
  baseline_g = as.numeric(es_pre$yi), post_g = as.numeric(es_post$yi),
  did_g = as.numeric(es_post$yi - es_pre$yi), r_within = r_within,
  did_se = sqrt(2 * (1 - r_within) * (1 / nt + 1 / nc) + (es_post$yi - es_pre$yi)^2 / (2 * (nt + nc))),
  n_treatment = nt, n_control = nc))

# (c) ANCOVA with covariates age and fsm: rows complete on post, arm, pre, age, fsm.
dc <- db[!is.na(db$age), ]
fit_c <- lm(post ~ treat + pre + age + fsm, data = dc)
print(summary(fit_c))
out$ancova_covariates <- c(list(source = "lm(post ~ treat + pre + age + fsm), complete rows"),
  lm_coef(fit_c), list(groups = group_stats(dc, "post")))

# (d) Cluster-robust inference (CR2, Satterthwaite df), schools as clusters.
cb <- cr2(fit_b, db$school)
fit_d <- lm(post ~ treat, data = db)
cd <- cr2(fit_d, db$school)
print(coef_test(fit_b, vcov = "CR2", cluster = db$school, test = "Satterthwaite"))
print(coef_test(fit_d, vcov = "CR2", cluster = db$school, test = "Satterthwaite"))
fit_a <- lm(post ~ treat, data = da)
ca <- cr2(fit_a, da$school)
icc_b <- icc_nested(db, "post")
icc_a <- icc_nested(da, "post")
print(icc_b)
out$cluster <- list(
  source = "clubSandwich::coef_test(fit, vcov='CR2', cluster=school, test='Satterthwaite')",
  ancova = cb, unadjusted_same_rows = cd, unadjusted = ca,
  icc_ancova_rows = icc_b, icc_unadjusted_rows = icc_a,
  ols_se_unadjusted = lm_coef(fit_a)$se)

# (e) Binary outcome 'passed' (yes/no) with binary pretest 'passed_pre' (Yes/No).
de <- d0[!is.na(d0$passed) & !is.na(d0$arm) & !is.na(d0$passed_pre), ]
de$y <- as.integer(de$passed == "yes"); de$x <- as.integer(de$passed_pre == "Yes")
tab <- table(factor(de$arm, levels = c("tutored", "control")), de$y)
tight <- glm.control(epsilon = 1e-15, maxit = 100)   # converge fully (default 1e-8)
gfit <- glm(y ~ treat + x, family = binomial, data = de, control = tight)
print(summary(gfit))
sg <- summary(gfit)$coefficients
gcr <- coef_test(gfit, vcov = "CR2", cluster = de$school, test = "Satterthwaite")
print(gcr)
g0 <- glm(y ~ treat, family = binomial, data = de, control = tight)
g0cr <- coef_test(g0, vcov = "CR2", cluster = de$school, test = "Satterthwaite")
print(g0cr)
# CR2 on the whitened working model, by brute force with n_j x n_j matrices: X~ = W^1/2 X,
# e~ = W^-1/2 (y - mu), A_j = (I - H~_jj)^-1/2 (symmetric root), V = M sum_j u_j u_j' M and
# the Bell-McCaffrey/Satterthwaite df under Phi = I. clubSandwich's glm method instead takes
# the root of W_j^-1 (I - H~_jj) W_j^-1, which differs when W varies within a cluster.
whitened_cr2 <- function(fit, cluster, coef = "treat") {
  X <- model.matrix(fit); mu <- fitted(fit); w <- mu * (1 - mu); y <- fit$y
  Xt <- sqrt(w) * X; et <- (y - mu) / sqrt(w)
  M <- solve(crossprod(Xt)); H <- Xt %*% M %*% t(Xt); IH <- diag(nrow(X)) - H
  cl <- as.character(cluster); ids <- unique(cl)
  cvec <- as.numeric(colnames(X) == coef)
  meat <- 0; P <- NULL
  for (j in ids) {
    i <- which(cl == j)
    ev <- eigen(IH[i, i, drop = FALSE], symmetric = TRUE)
    A <- ev$vectors %*% diag(1 / sqrt(ev$values), length(i)) %*% t(ev$vectors)
    u <- t(Xt[i, , drop = FALSE]) %*% A %*% et[i]
    meat <- meat + u %*% t(u)
    P <- cbind(P, IH[, i, drop = FALSE] %*% A %*% Xt[i, , drop = FALSE] %*% M %*% cvec)
  }
  V <- M %*% meat %*% M
  PP <- crossprod(P)
  list(se = sqrt(V[coef == colnames(X), coef == colnames(X)]),
       df = sum(diag(PP))^2 / sum(PP^2))
}
wcr <- whitened_cr2(gfit, de$school)
wcr$p_value <- 2 * pt(abs(coef(gfit)[["treat"]] / wcr$se), wcr$df, lower.tail = FALSE)
print(wcr)
es_or <- escalc("OR", ai = tab["tutored", "1"], bi = tab["tutored", "0"],
                ci = tab["control", "1"], di = tab["control", "0"])
pre_tab <- table(factor(de$arm, levels = c("tutored", "control")), de$x)
out$binary <- list(
  source = "glm(y ~ treat + x, binomial) on rows complete on passed, arm, passed_pre; clubSandwich CR2 on the glm",
  events = list(treatment = tab["tutored", "1"], control = tab["control", "1"]),
  n = list(treatment = sum(tab["tutored", ]), control = sum(tab["control", ])),
  pre_events = list(treatment = pre_tab["tutored", "1"], control = pre_tab["control", "1"]),
  log_odds_ratio = as.numeric(es_or$yi), var_log_or = as.numeric(es_or$vi),
  logistic = list(estimate = sg["treat", "Estimate"], se = sg["treat", "Std. Error"],
                  z = sg["treat", "z value"], p_value = sg["treat", "Pr(>|z|)"]),
  logistic_cr2 = list(se = gcr$SE[2], df = gcr$df_Satt[2], p_value = gcr$p_Satt[2]),
  logistic_cr2_whitened = wcr,
  unadjusted_cr2 = list(estimate = unname(coef(g0)["treat"]), se = g0cr$SE[2],
                        df = g0cr$df_Satt[2], p_value = g0cr$p_Satt[2]))

# (f) Pre-post change with schools as clusters: lm(change ~ 1) with CR2, and the one-way
# ANOVA ICC of the change (no arms).
df_ <- d0[!is.na(d0$pre) & !is.na(d0$post), ]
df_$change <- df_$post - df_$pre
fit_f <- lm(change ~ 1, data = df_)
cf <- coef_test(fit_f, vcov = "CR2", cluster = df_$school, test = "Satterthwaite")
print(cf)
af <- anova(lm(change ~ factor(school), data = df_))
nj <- table(df_$school); Nf <- nrow(df_); Jf <- length(nj)
n0f <- (Nf - sum(nj^2) / Nf) / (Jf - 1)
msbf <- af["factor(school)", "Mean Sq"]; mswf <- af["Residuals", "Mean Sq"]
out$prepost_cluster <- list(
  source = "lm(post - pre ~ 1) on rows_trial.csv complete on pre and post, coef_test CR2 by school; ICC by one-way ANOVA",
  n = Nf, mean_change = unname(coef(fit_f)[1]), se = cf$SE[1], df = cf$df_Satt[1],
  p_value = cf$p_Satt[1], icc = max(0, (msbf - mswf) / (msbf + (n0f - 1) * mswf)))

## 2. Pre-post rows: 60 people, continuous and yes/no outcome ---------------------------
set.seed(7)
m <- 60
pp <- data.frame(person = seq_len(m), before = round(rnorm(m, 20, 5), 1))
pp$after <- round(pp$before + rnorm(m, 1.8, 4), 1)
pp$in_work_before <- ifelse(runif(m) < 0.3, "TRUE", "FALSE")
pp$in_work_after <- ifelse(runif(m) < 0.5, "true", "false")
pp$after[c(3, 30)] <- NA
write.csv(pp, "rows_prepost.csv", row.names = FALSE, na = "")
p0 <- read.csv("rows_prepost.csv", stringsAsFactors = FALSE, na.strings = "")
pc <- p0[!is.na(p0$before) & !is.na(p0$after), ]
ptt <- t.test(pc$after, pc$before, paired = TRUE)
print(ptt)
diffs <- pc$after - pc$before
b01 <- sum(p0$in_work_before == "FALSE" & p0$in_work_after == "true")
b10 <- sum(p0$in_work_before == "TRUE" & p0$in_work_after == "false")
mc <- binom.test(b01, b01 + b10)
print(mc)
out$prepost <- list(
  source = "t.test(after, before, paired=TRUE) on rows_prepost.csv complete pairs; binom.test on discordant pairs (exact McNemar)",
  n = nrow(pc), mean_change = mean(diffs), sd_change = sd(diffs), t = unname(ptt$statistic),
  df = unname(ptt$parameter), p_value = ptt$p.value, ci = as.numeric(ptt$conf.int),
  d_z = mean(diffs) / sd(diffs),
  d_av = mean(diffs) / sqrt((sd(pc$before)^2 + sd(pc$after)^2) / 2),
  mean_pre = mean(pc$before), sd_pre = sd(pc$before), mean_post = mean(pc$after),
  sd_post = sd(pc$after), dropped = nrow(p0) - nrow(pc),
  mcnemar = list(n = nrow(p0), b = b01, c = b10, p_value = mc$p.value,
                 p_before = mean(p0$in_work_before == "TRUE"),
                 p_after = mean(p0$in_work_after == "true")))

## 3. Three small trials in one file for pooling (metafor rma, DerSimonian-Laird) ----------
set.seed(11)
mk <- function(nt, nc, delta) list(arm = c(rep("T", nt), rep("C", nc)),
                                    y = round(c(rnorm(nt, 10 + delta, 3), rnorm(nc, 10, 3)), 2))
tr <- list(a = mk(30, 32, 2.5), b = mk(45, 40, -0.5), c = mk(25, 27, 1.5))
L <- max(sapply(tr, function(x) length(x$y)))
pad <- function(v) c(v, rep(NA, L - length(v)))
pool <- data.frame(arm_a = pad(tr$a$arm), score_a = pad(tr$a$y), arm_b = pad(tr$b$arm),
                   score_b = pad(tr$b$y), arm_c = pad(tr$c$arm), score_c = pad(tr$c$y))
write.csv(pool, "rows_pool.csv", row.names = FALSE, na = "")
q0 <- read.csv("rows_pool.csv", stringsAsFactors = FALSE, na.strings = "")
sm <- do.call(rbind, lapply(c("a", "b", "c"), function(k) {
  a <- q0[[paste0("arm_", k)]]; y <- q0[[paste0("score_", k)]]
  data.frame(study = k, m1i = mean(y[a %in% "T"]), sd1i = sd(y[a %in% "T"]), n1i = sum(a %in% "T"),
             m2i = mean(y[a %in% "C"]), sd2i = sd(y[a %in% "C"]), n2i = sum(a %in% "C"))
}))
es3 <- escalc("SMD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i, data = sm)
dl <- rma(yi, vi, data = es3, method = "DL")
fe <- rma(yi, vi, data = es3, method = "FE")
print(es3); print(dl)
out$pooling <- list(source = "escalc('SMD') per trial in rows_pool.csv, rma(method='DL') and rma(method='FE')",
  yi = as.numeric(es3$yi), vi = as.numeric(es3$vi), estimate = as.numeric(dl$beta),
  se = dl$se, tau2 = dl$tau2, i2 = dl$I2, q = dl$QE, fixed = as.numeric(fe$beta), se_fixed = fe$se)

## 4. Power (SPEC 3.11): pwr.t.test and Bloom's cluster MDES -------------------------------
bloom <- function(J, n, icc, alpha = 0.05, power = 0.8, P = 0.5) {
  M <- qt(1 - alpha / 2, J - 2) + qt(power, J - 2)
  M * sqrt(icc / (P * (1 - P) * J) + (1 - icc) / (P * (1 - P) * J * n))
}
out$power <- list(source = "pwr.t.test(n=, power=)$d; pwr.t.test(d=, power=)$n; Bloom (2006) formula",
  mdes_n100 = pwr.t.test(n = 100, sig.level = 0.05, power = 0.8)$d,
  mdes_n40_a01_p90 = pwr.t.test(n = 40, sig.level = 0.01, power = 0.9)$d,
  n_for_d03 = pwr.t.test(d = 0.3, sig.level = 0.05, power = 0.8)$n,
  cluster_mdes_40_25_020 = bloom(40, 25, 0.20),
  cluster_mdes_60_20_010_a01 = bloom(60, 20, 0.10, alpha = 0.01))
print(out$power)

write_golden(out, "rows")
