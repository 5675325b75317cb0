// Puts an API error next to the field it concerns: `errorFor("title")` is the
// message for the title field when the error names it, else undefined.
import { computed, type Ref } from "vue";
import { useI18n } from "vue-i18n";
import { describe, type ApiProblem } from "./errors";

export function useFieldErrors(problem: Ref<ApiProblem | undefined>) {
  const { t, te, d } = useI18n();
  const field = computed(() => problem.value?.field);
  const errorFor = (name: string) => (problem.value && field.value === name ? describe({ t, te, d }, problem.value) : undefined);
  return { errorFor };
}
