// Korean first, English by a toggle that is remembered (localStorage). The words follow
// shared/UI.md ("Words to use").

export type Lang = "ko" | "en";

const STORAGE_KEY = "kaieval.lang";

const ko = {
  "contest.title": "대국민 컨테스트",
  "contest.subtitle": "두 AI 모델에게 같은 질문을 하고, 더 나은 답을 골라 주세요. 어느 모델인지는 투표한 뒤에 공개돼요.",
  "nav.arena": "대국민 컨테스트",
  "nav.leaderboard": "순위표",
  "lang.toggle": "English",
  "lang.toggle.label": "Switch to English",
  "model.a": "모델 A",
  "model.b": "모델 B",
  "note.identity": "모델이 답변에서 자기 이름이나 만든 곳을 밝히면, 그 대화의 투표는 집계되지 않아요.",
  "prompt.placeholder": "질문을 입력하세요 (Enter: 보내기, Shift+Enter: 줄바꿈)",
  "prompt.label": "질문",
  "send": "보내기",
  "sending": "답변 중…",
  "vote.question": "어느 답이 더 좋은가요?",
  "vote.a": "A가 더 좋아요",
  "vote.b": "B가 더 좋아요",
  "vote.tie": "비슷해요",
  "vote.bothbad": "둘 다 별로예요",
  "reveal": "모델 공개",
  "new.battle": "새 대화",
  "pane.empty": "질문을 보내면 여기에 답이 나와요.",
  "pane.streaming": "답변 중…",
  "pane.error": "답변을 받지 못했어요.",
  "you": "나",
  "turns": "대화 {n} / {max}",
  "chars": "{n} / {max}자",
  "status.ready": "",
  "status.starting": "새 대화를 시작하는 중…",
  "status.streaming": "두 모델이 답하는 중이에요…",
  "status.answered": "두 답을 비교해 보고 투표해 주세요. 이어서 더 물어봐도 돼요.",
  "status.answered.last": "대화 횟수를 다 썼어요. 두 답을 비교해 투표해 주세요.",
  "status.voting": "투표를 기록하는 중…",
  "status.voted": "투표해 주셔서 고마워요. 모델 공개: A는 {a}, B는 {b}.",
  "status.restored": "이전 대화를 이어서 보여 드려요.",
  "error.network": "네트워크 오류가 났어요. 연결을 확인하고 다시 시도해 주세요.",
  "error.stream_cut": "답변을 받는 도중 연결이 끊겼어요. 새 대화로 다시 시도해 주세요.",
  "error.rate_limit": "요청이 너무 많아요. 잠시 뒤에 다시 시도해 주세요.",
  "error.rate_limit.after": "요청이 너무 많아요. {s}초 뒤에 다시 시도해 주세요.",
  "error.turn_limit": "이 대화에서 보낼 수 있는 질문 수를 다 썼어요. 투표하거나 새 대화를 시작해 주세요.",
  "error.already_voted": "이 대화에는 이미 투표했어요. 새 대화를 시작해 주세요.",
  "error.no_turn": "먼저 질문을 보내고 답을 받은 뒤에 투표할 수 있어요.",
  "error.unknown_battle": "이 대화를 찾을 수 없어요. 새 대화를 시작해 주세요.",
  "error.message_length": "질문이 비어 있거나 너무 길어요 (최대 {max}자).",
  "error.csrf": "보안 확인에 실패했어요. 페이지를 새로 고쳐 주세요.",
  "error.side": "{model}의 답변에 문제가 생겼어요. 새 대화로 다시 시도해 주세요.",
  "error.generic": "오류가 났어요 ({code}). 다시 시도해 주세요.",
  "error.session": "서버에 연결하지 못했어요. 잠시 뒤에 페이지를 새로 고쳐 주세요.",

  "lb.title": "순위표",
  "lb.subtitle": "대국민 컨테스트에서 시민들이 투표한 결과로 매긴 점수예요. 모든 점수에는 95% 신뢰구간이 함께 있어요.",
  "lb.simulated": "시뮬레이션",
  "lb.simulated.text": "이 순위표는 실제 투표가 아니라 시뮬레이션(예시 데이터)으로 만들었어요.",
  "lb.updated": "마지막 업데이트",
  "lb.votes.total": "전체 투표",
  "lb.votes.counted": "집계된 투표",
  "lb.votes.excluded": "제외된 투표",
  "lb.rank": "순위",
  "lb.model": "모델",
  "lb.rating": "점수",
  "lb.ci": "95% 신뢰구간",
  "lb.votes": "투표 수",
  "lb.wlt": "승 · 패 · 무",
  "lb.forest.title": "점수와 95% 신뢰구간",
  "lb.forest.help": "점은 점수, 가로 막대는 95% 신뢰구간이에요. 막대가 겹치면 두 모델의 차이가 뚜렷하지 않다는 뜻이에요.",
  "lb.heatmap.title": "승률 (행 모델이 열 모델을 이긴 비율)",
  "lb.heatmap.help": "비긴 대결은 절반으로 셉니다. 빈 칸은 두 모델이 아직 만나지 않았다는 뜻이에요.",
  "lb.battles.title": "대결 수",
  "lb.battles.help": "두 모델이 맞붙어 집계된 대결의 수예요.",
  "lb.sampling.title": "지금 적용 중인 대결 배정 비율",
  "lb.sampling.mode": "방식",
  "lb.sampling.pair": "모델 쌍",
  "lb.sampling.weight": "비율",
  "lb.excluded.title": "제외된 투표와 이유",
  "lb.excluded.reason": "이유",
  "lb.excluded.count": "수",
  "lb.excluded.total": "합계",
  "lb.bootstrap": "신뢰구간: 부트스트랩 {n}회 (시드 {seed})",
  "lb.refresh": "30초마다 자동으로 새로 고쳐요.",
  "lb.loading": "불러오는 중…",
  "lb.error": "순위표를 불러오지 못했어요 ({code}). 30초 뒤에 다시 시도해요.",
  "lb.empty": "아직 집계된 투표가 없어요.",
  "reason.identity_leak": "모델 신원 노출",
  "reason.duplicate_prompt": "중복 질문",
  "reason.suspicious_voter": "의심 투표자",
  "reason.rate_limit": "투표 횟수 제한",
  "reason.admin": "관리자 제외",
  "mode.uniform": "균등",
  "mode.adaptive": "적응형",
  "report.eyebrow": "단계평가 보고서",
  "report.title": "단계평가 보고서",
  "report.simulated": "시뮬레이션",
  "report.simulated.text": "이 보고서에는 시뮬레이션(예시 데이터) 입력이 들어 있어요. 실제 평가 결과가 아니에요.",
  "report.teams": "참가 팀",
  "report.advancing": "진출 팀",
  "report.bootstrap": "신뢰구간",
  "report.bootstrap.value": "부트스트랩 {n}회 (시드 {seed})",
  "report.loading": "보고서를 그리는 중…",
  "report.nodata": "보고서 데이터가 없어요. `kaieval stage report report.json --out DIR`로 만든 report.html을 여세요.",
  "report.baddata": "보고서 데이터를 읽지 못했어요: {why}",
  "report.decision.title": "결정: 누가 진출하나요",
  "report.decision.help": "진출 확률은 부트스트랩으로 다시 뽑은 평가 결과 가운데 그 팀이 진출한 비율이에요. 필수 검증을 통과하지 못한 팀은 점수와 관계없이 탈락해요.",
  "report.col.rank": "순위",
  "report.col.team": "팀",
  "report.col.total": "총점",
  "report.col.ci": "95% 신뢰구간",
  "report.col.p_advance": "진출 확률",
  "report.col.gates": "필수 검증",
  "report.col.decision": "결정",
  "report.advances": "진출",
  "report.eliminated": "탈락",
  "report.gate.pass": "통과",
  "report.gate.fail": "통과 못 함",
  "report.summary.advance": "{n}개 팀 가운데 {k}개 팀이 진출해요: {teams}.",
  "report.summary.advance.none": "{n}개 팀 가운데 진출하는 팀이 없어요.",
  "report.summary.rule": "필수 검증을 통과한 팀 가운데 총점이 높은 순서로 정했어요.",
  "report.summary.gate": "{team}: 필수 검증을 통과하지 못해 탈락했어요 ({why}). 총점으로는 {rank}위였어요.",
  "report.summary.points": "총점이 진출선에 못 미쳐 탈락한 팀: {teams}.",
  "report.summary.stable": "모든 팀의 진출 확률이 95% 이상이거나 5% 이하라서 결정이 안정적이에요.",
  "report.summary.uncertain": "결정이 불확실한 팀: {teams}.",
  "report.gate.originality": "독자성 검증 실패",
  "report.list.sep": ", ",
  "report.points.title": "부문별 점수",
  "report.points.help": "막대의 칸은 부문별 점수이고, 막대 끝의 가는 선은 총점의 95% 신뢰구간이에요.",
  "report.points.axis": "점수",
  "report.points.total": "총점",
  "report.rubric.title": "평가 기준별 점수",
  "report.rubric.help": "칸마다 점수와 [95% 신뢰구간]이에요. 들여쓴 줄은 윗줄 항목의 세부 항목이에요.",
  "report.rubric.item": "평가 기준",
  "report.rubric.max": "배점",
  "report.gates.title": "필수 검증",
  "report.gates.none": "모든 팀이 필수 검증을 통과했어요.",
  "report.sensitivity.title": "민감도 분석",
  "report.sensitivity.help": "부문 배점을 ±5점 옮기거나 벤치마크를 하나씩 빼 보고, 진출 팀이 바뀌는 경우를 적었어요.",
  "report.sensitivity.none": "배점을 ±5점 옮기거나 벤치마크를 하나씩 빼도 진출 팀은 바뀌지 않아요.",
  "report.sensitivity.change": "{change}: 진출 팀이 바뀌어요 → {teams}",
  "report.notes.title": "참고 사항",
  "report.notes.none": "참고 사항이 없어요.",
  "report.evidence.title": "근거 파일과 해시",
  "report.evidence.help": "이 결정에 쓴 설정 파일과 근거 파일이에요. `kaieval stage verify`가 같은 파일로 같은 결과를 다시 계산해요.",
  "report.evidence.file": "파일",
  "report.evidence.hash": "해시",
  "report.evidence.config": "설정",
  "report.live": "최근 계산",
  "report.live.value": "{at} · {s}초마다 새로 계산",
  "report.live.unauthorized": "위원회용 링크로 열어 주세요. (주소에 ?token=…이 있어야 해요.)",
  "report.live.failed": "단계평가를 계산하지 못했어요: {why}",
  "report.leaves.title": "근거별 점수",
  "report.leaves.help": "평가 항목마다 배점으로 바꾸기 전의 점수(정답률, 레이팅, 전문가 점수)와 95% 신뢰구간이에요. 점은 점수, 가로선은 신뢰구간, 세로 점선은 기준값이에요.",
  "report.leaves.none": "평가 항목이 없어요.",
  "report.leaves.reference": "기준값 {v}",
  "report.leaves.gate": "안전성 최소 기준 {v}",
  "report.leaves.items": "{task} · {metric} · 문항 {n}개를 다시 뽑아 구간을 구했어요",
  "report.leaves.items.point": "{task} · {metric} · 문항별 값이 없어 구간은 점수 그대로예요",
  "report.leaves.votes": "투표 {votes}개 가운데 {counted}개 집계",
  "report.leaves.excluded": "제외된 투표: {list}",
  "report.leaves.panel": "{panel} 패널 · 평가 {n}건",
  "report.leaves.agreement": "평가자 일치도: Krippendorff α {alpha} · ICC(1,1) {icc1} · ICC(1,k) {icck}",
  "report.leaves.raw": "원점수",
  "report.leaves.adjusted": "보정 점수",
  "report.leaves.reviewer": "평가자",
  "report.leaves.reviews": "평가 수",
  "report.leaves.effect": "평가 성향 (+ 후함, − 엄격함)",
  "report.leaves.flagged": "불일치 표시",
  "report.leaves.flagged.yes": "다른 평가자와 크게 다름",
  "review.title": "전문가 심사",
  "review.blind": "항목은 블라인드예요: 어느 팀이 낸 것인지 보이지 않아요. 점수는 고르는 즉시 저장돼요.",
  "review.reviewer": "심사위원: {name}",
  "review.progress": "점수 {n} / {total}개 입력",
  "review.progress.done": "점수 {n} / {total}개 모두 입력했어요. 고마워요!",
  "review.item.number": "항목 {n} / {total}",
  "review.item.code": "블라인드 번호 {code}",
  "review.kind.report": "기술 보고서",
  "review.kind.training_log": "학습 기록",
  "review.kind.output": "모델 출력",
  "review.open.link": "자료 열기 (새 창)",
  "review.open.text": "내용 보기",
  "review.text.failed": "내용을 불러오지 못했어요: {why}",
  "review.saving": "저장 중…",
  "review.saved": "저장됨",
  "review.save.failed": "저장하지 못했어요: {why}. 다시 골라 주세요.",
  "review.empty": "배정된 항목이 없어요.",
  "review.unauthorized": "심사위원용 링크로 열어 주세요. (받은 주소에 ?token=…이 있어야 해요.)",
  "review.failed": "심사 목록을 불러오지 못했어요: {why}",
  "evidence.benchmark": "벤치마크 평가",
  "evidence.review": "전문가 평가",
  "evidence.arena": "사용자 평가",
  "evidence.derivatives": "파생 모델",
  "evidence.value": "기록된 값",
} as const;

export type MessageKey = keyof typeof ko;

const en: Record<MessageKey, string> = {
  "contest.title": "Public contest",
  "contest.subtitle": "Ask two AI models the same question and pick the better answer. Which models they are is revealed after you vote.",
  "nav.arena": "Public contest",
  "nav.leaderboard": "Leaderboard",
  "lang.toggle": "한국어",
  "lang.toggle.label": "한국어로 보기",
  "model.a": "Model A",
  "model.b": "Model B",
  "note.identity": "If a model says its own name or who made it in an answer, the vote on that conversation does not count.",
  "prompt.placeholder": "Type your question (Enter: send, Shift+Enter: new line)",
  "prompt.label": "Question",
  "send": "Send",
  "sending": "Answering…",
  "vote.question": "Which answer is better?",
  "vote.a": "A is better",
  "vote.b": "B is better",
  "vote.tie": "Tie",
  "vote.bothbad": "Both are bad",
  "reveal": "Models revealed",
  "new.battle": "New battle",
  "pane.empty": "Send a question and the answer appears here.",
  "pane.streaming": "Answering…",
  "pane.error": "No answer was received.",
  "you": "You",
  "turns": "Turn {n} / {max}",
  "chars": "{n} / {max} characters",
  "status.ready": "",
  "status.starting": "Starting a new battle…",
  "status.streaming": "Both models are answering…",
  "status.answered": "Compare the two answers and vote. You may also ask a follow-up question.",
  "status.answered.last": "This conversation has no turns left. Compare the two answers and vote.",
  "status.voting": "Recording your vote…",
  "status.voted": "Thank you for voting. Models revealed: A is {a}, B is {b}.",
  "status.restored": "Your earlier conversation is shown again.",
  "error.network": "A network error occurred. Check your connection and try again.",
  "error.stream_cut": "The connection broke while the answers were coming in. Please start a new battle.",
  "error.rate_limit": "Too many requests. Please try again in a moment.",
  "error.rate_limit.after": "Too many requests. Please try again in {s} seconds.",
  "error.turn_limit": "This conversation has no turns left. Vote, or start a new battle.",
  "error.already_voted": "You have already voted on this conversation. Please start a new battle.",
  "error.no_turn": "Send a question and get the answers before voting.",
  "error.unknown_battle": "This conversation could not be found. Please start a new battle.",
  "error.message_length": "The question is empty or too long (at most {max} characters).",
  "error.csrf": "The security check failed. Please reload the page.",
  "error.side": "Something went wrong with {model}'s answer. Please start a new battle.",
  "error.generic": "An error occurred ({code}). Please try again.",
  "error.session": "Could not reach the server. Please reload the page in a moment.",

  "lb.title": "Leaderboard",
  "lb.subtitle": "Ratings from the citizens' votes in the public contest. Every rating comes with its 95% confidence interval.",
  "lb.simulated": "Simulated",
  "lb.simulated.text": "This leaderboard is simulated (demo data), not real votes.",
  "lb.updated": "Last updated",
  "lb.votes.total": "All votes",
  "lb.votes.counted": "Counted votes",
  "lb.votes.excluded": "Excluded votes",
  "lb.rank": "Rank",
  "lb.model": "Model",
  "lb.rating": "Rating",
  "lb.ci": "95% CI",
  "lb.votes": "Votes",
  "lb.wlt": "Wins · Losses · Ties",
  "lb.forest.title": "Ratings with 95% confidence intervals",
  "lb.forest.help": "The dot is the rating, the bar its 95% confidence interval. Where bars overlap, the two models are not clearly different.",
  "lb.heatmap.title": "Win rate (share of battles the row model won against the column model)",
  "lb.heatmap.help": "A tie counts as half a win. An empty cell means the two models have not met yet.",
  "lb.battles.title": "Battle counts",
  "lb.battles.help": "The number of counted battles between each pair of models.",
  "lb.sampling.title": "Pair-sampling weights in force",
  "lb.sampling.mode": "Mode",
  "lb.sampling.pair": "Pair",
  "lb.sampling.weight": "Weight",
  "lb.excluded.title": "Excluded votes by reason",
  "lb.excluded.reason": "Reason",
  "lb.excluded.count": "Count",
  "lb.excluded.total": "Total",
  "lb.bootstrap": "Intervals: {n} bootstrap resamples (seed {seed})",
  "lb.refresh": "Refreshes automatically every 30 seconds.",
  "lb.loading": "Loading…",
  "lb.error": "Could not load the leaderboard ({code}). Trying again in 30 seconds.",
  "lb.empty": "No counted votes yet.",
  "reason.identity_leak": "Model identity revealed",
  "reason.duplicate_prompt": "Duplicate prompt",
  "reason.suspicious_voter": "Suspicious voter",
  "reason.rate_limit": "Rate limit",
  "reason.admin": "Excluded by admin",
  "mode.uniform": "Uniform",
  "mode.adaptive": "Adaptive",
  "report.eyebrow": "Stage evaluation report",
  "report.title": "Stage evaluation report",
  "report.simulated": "Simulated",
  "report.simulated.text": "This report contains simulated inputs (demo data). It is not a real evaluation result.",
  "report.teams": "Teams",
  "report.advancing": "Advancing",
  "report.bootstrap": "Intervals",
  "report.bootstrap.value": "{n} bootstrap replicates (seed {seed})",
  "report.loading": "Drawing the report…",
  "report.nodata": "This page holds no report data. Open the report.html written by `kaieval stage report report.json --out DIR`.",
  "report.baddata": "The report data could not be read: {why}",
  "report.decision.title": "Decision: who advances",
  "report.decision.help": "P(advance) is the share of bootstrap replicates of the evaluation in which the team advances. A team that fails a gate is eliminated whatever its points.",
  "report.col.rank": "Rank",
  "report.col.team": "Team",
  "report.col.total": "Total points",
  "report.col.ci": "95% CI",
  "report.col.p_advance": "P(advance)",
  "report.col.gates": "Gates",
  "report.col.decision": "Decision",
  "report.advances": "Advances",
  "report.eliminated": "Eliminated",
  "report.gate.pass": "Passed",
  "report.gate.fail": "Failed",
  "report.summary.advance": "{k} of {n} teams advance: {teams}.",
  "report.summary.advance.none": "None of the {n} teams advances.",
  "report.summary.rule": "They are the teams with the most points among those that passed the gates.",
  "report.summary.gate": "{team} is eliminated because it failed a gate ({why}), although its points ranked {rank}.",
  "report.summary.points": "{teams}: eliminated on points.",
  "report.summary.stable": "Every team's P(advance) is at least 95% or at most 5%: the decision is stable.",
  "report.summary.uncertain": "The decision is uncertain for {teams}.",
  "report.gate.originality": "originality check failed",
  "report.list.sep": ", ",
  "report.points.title": "Points per part",
  "report.points.help": "Each segment is one part's points; the thin line at the end of a bar is the 95% CI of the total.",
  "report.points.axis": "Points",
  "report.points.total": "Total points",
  "report.rubric.title": "Points per rubric item",
  "report.rubric.help": "Each cell shows the points and [95% CI]. Indented rows are parts of the row above.",
  "report.rubric.item": "Rubric item",
  "report.rubric.max": "Max",
  "report.gates.title": "Gates",
  "report.gates.none": "Every team passed the gates.",
  "report.sensitivity.title": "Sensitivity",
  "report.sensitivity.help": "Each part's weight shifted by ±5 points and each benchmark left out in turn; listed when who advances changes.",
  "report.sensitivity.none": "No ±5-point weight shift and no left-out benchmark changes who advances.",
  "report.sensitivity.change": "{change}: the advancing teams change → {teams}",
  "report.notes.title": "Notes",
  "report.notes.none": "No notes.",
  "report.evidence.title": "Evidence files and hashes",
  "report.evidence.help": "The config and evidence files behind this decision. `kaieval stage verify` recomputes the same result from the same files.",
  "report.evidence.file": "File",
  "report.evidence.hash": "Hash",
  "report.evidence.config": "config",
  "report.live": "Computed",
  "report.live.value": "{at} · recomputed every {s} s",
  "report.live.unauthorized": "Open this page with the committee's link (it ends in ?token=…).",
  "report.live.failed": "The stage evaluation could not be computed: {why}",
  "report.leaves.title": "Scores by evidence item",
  "report.leaves.help": "Each rubric item's own score before it becomes points (accuracy, rating, expert score) with its 95% interval. The dot is the score, the line its interval, the dashed mark the reference.",
  "report.leaves.none": "The rubric has no items.",
  "report.leaves.reference": "reference {v}",
  "report.leaves.gate": "safety minimum {v}",
  "report.leaves.items": "{task} · {metric} · interval from resampling {n} items",
  "report.leaves.items.point": "{task} · {metric} · no per-item values, so the interval is the score",
  "report.leaves.votes": "{counted} of {votes} votes counted",
  "report.leaves.excluded": "Excluded votes: {list}",
  "report.leaves.panel": "panel {panel} · {n} reviews",
  "report.leaves.agreement": "Agreement: Krippendorff's α {alpha} · ICC(1,1) {icc1} · ICC(1,k) {icck}",
  "report.leaves.raw": "Raw",
  "report.leaves.adjusted": "Adjusted",
  "report.leaves.reviewer": "Reviewer",
  "report.leaves.reviews": "Reviews",
  "report.leaves.effect": "Severity (+ lenient, − strict)",
  "report.leaves.flagged": "Flag",
  "report.leaves.flagged.yes": "disagrees with the others",
  "review.title": "Expert review",
  "review.blind": "Items are blind: you do not see which team submitted them. A score is saved as soon as you choose it.",
  "review.reviewer": "Reviewer: {name}",
  "review.progress": "{n} of {total} scores entered",
  "review.progress.done": "All {total} scores entered. Thank you!",
  "review.item.number": "Item {n} of {total}",
  "review.item.code": "blind code {code}",
  "review.kind.report": "Technical report",
  "review.kind.training_log": "Training log",
  "review.kind.output": "Model output",
  "review.open.link": "Open the material (new window)",
  "review.open.text": "Show the text",
  "review.text.failed": "The text could not be loaded: {why}",
  "review.saving": "Saving…",
  "review.saved": "Saved",
  "review.save.failed": "Not saved: {why}. Please choose again.",
  "review.empty": "No items are assigned to you.",
  "review.unauthorized": "Open this page with your reviewer link (it ends in ?token=…).",
  "review.failed": "The review queue could not be loaded: {why}",
  "evidence.benchmark": "Benchmark",
  "evidence.review": "Expert evaluation",
  "evidence.arena": "User evaluation",
  "evidence.derivatives": "Derivative models",
  "evidence.value": "Recorded value",
};

const dicts: Record<Lang, Record<MessageKey, string>> = { ko, en };

function readStored(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === "en" || v === "ko") return v;
  } catch {
    // storage may be blocked; Korean is the default
  }
  return "ko";
}

let current: Lang = readStored();
const listeners: ((lang: Lang) => void)[] = [];

export function getLang(): Lang {
  return current;
}

export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(ko, key);
}

/** The message in the current language, with `{name}` placeholders filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = dicts[current][key] ?? ko[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m,
  );
}

/** Fills every `[data-i18n]` element's text and `[data-i18n-<attr>]` attributes under root. */
export function applyI18n(root: ParentNode = document): void {
  document.documentElement.lang = current;
  root.querySelectorAll<HTMLElement>("[data-i18n]").forEach((el) => {
    const key = el.dataset.i18n;
    if (key && hasKey(key)) el.textContent = t(key);
  });
  for (const attr of ["placeholder", "title", "aria-label"]) {
    root.querySelectorAll<HTMLElement>(`[data-i18n-${attr}]`).forEach((el) => {
      const key = el.getAttribute(`data-i18n-${attr}`);
      if (key && hasKey(key)) el.setAttribute(attr, t(key));
    });
  }
}

export function setLang(lang: Lang): void {
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not remembered, but still switched
  }
  applyI18n();
  for (const fn of listeners) fn(lang);
}

export function onLangChange(fn: (lang: Lang) => void): void {
  listeners.push(fn);
}

/** Wires the language toggle button (`data-testid="lang-toggle"`) and fills the page once. */
export function initI18n(titleKey: MessageKey): void {
  const updateTitle = (): void => {
    document.title = `${t(titleKey)} · kaieval`;
  };
  applyI18n();
  updateTitle();
  onLangChange(updateTitle);
  const btn = document.getElementById("lang-toggle");
  btn?.addEventListener("click", () => setLang(current === "ko" ? "en" : "ko"));
}

/** Numbers and dates in the current language's conventions. */
export function locale(): string {
  return current === "ko" ? "ko-KR" : "en-GB";
}
